'use strict';
// Sends simulated temperature readings on output "temperatureOutput", like Microsoft's SimulatedTemperatureSensor.
const { ModuleClient, Message } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');

const intervalMs = Number(process.env.SEND_INTERVAL_MS || 5000);
let temperature = 20;

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
    console.log(`SimulatedSensor connected; sending every ${intervalMs} ms`);
    setInterval(() => {
      temperature += (Math.random() - 0.4) * 2; // drifts upwards so the filter has something to pass on
      const body = JSON.stringify({ machine: { temperature: Number(temperature.toFixed(2)) }, timeCreated: new Date().toISOString() });
      const msg = new Message(body);
      msg.contentType = 'application/json';
      msg.contentEncoding = 'utf-8';
      client.sendOutputEvent('temperatureOutput', msg, (sendErr) => {
        if (sendErr) console.error(`send failed: ${sendErr.message}`);
      });
    }, intervalMs);
  });
});
