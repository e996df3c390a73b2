'use strict';
// Forwards readings above a threshold from input "input1" to output "output1".
// The threshold comes from the module twin (desired TemperatureThreshold), else TEMPERATURE_THRESHOLD.
const { ModuleClient, Message } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');

let threshold = Number(process.env.TEMPERATURE_THRESHOLD || 25);

ModuleClient.fromEnvironment(Mqtt, (err, client) => {
  if (err) {
    console.error(`cannot create module client: ${err.message}`);
    process.exit(1);
  }
  client.on('error', (e) => console.error(`client error: ${e.message}`));
  client.open((openErr) => {
    if (openErr) {
      console.error(`cannot connect: ${openErr.message}`);
      process.exit(1);
    }
    client.getTwin((twinErr, twin) => {
      if (twinErr) return console.error(`no twin: ${twinErr.message}`);
      twin.on('properties.desired', (delta) => {
        if (typeof delta.TemperatureThreshold === 'number') {
          threshold = delta.TemperatureThreshold;
          twin.properties.reported.update({ TemperatureThreshold: threshold }, () => {});
        }
      });
    });
    client.on('inputMessage', (inputName, msg) => {
      client.complete(msg, () => {});
      if (inputName !== 'input1') return;
      let reading;
      try {
        reading = JSON.parse(msg.getBytes().toString('utf8'));
      } catch {
        return console.error('dropping a message that is not JSON');
      }
      if (reading && reading.machine && reading.machine.temperature > threshold) {
        const out = new Message(JSON.stringify(reading));
        out.properties.add('MessageType', 'Alert');
        client.sendOutputEvent('output1', out, (e) => { if (e) console.error(`send failed: ${e.message}`); });
      }
    });
    console.log(`FilterModule connected; threshold ${threshold}`);
  });
});
