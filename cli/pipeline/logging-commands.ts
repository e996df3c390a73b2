/**
 * `##vso[area.action key=value;…]message` lines, as tasks and scripts write them.
 * Escaping follows task-lib: %AZP25 → %, %0D/%0A → CR/LF, and in properties also %3B → ; and %5D → ].
 */
export interface LoggingCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const PREFIX = '##vso[';

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%AZP25/gi, '%');
}

function unescapeProperty(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%5D/gi, ']').replace(/%3B/gi, ';').replace(/%AZP25/gi, '%');
}

/** Parses one output line; undefined when it is not a logging command (or is malformed). */
export function parseLoggingCommand(line: string): LoggingCommand | undefined {
  const start = line.indexOf(PREFIX);
  if (start < 0) return undefined;
  const rest = line.slice(start + PREFIX.length);
  const close = rest.indexOf(']');
  if (close < 0) return undefined;
  const info = rest.slice(0, close).trim();
  const space = info.indexOf(' ');
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!/^[a-z]+\.[a-z]+$/.test(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const part of info.slice(space + 1).split(';')) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.indexOf('=');
      if (eq < 0) properties[p.toLowerCase()] = '';
      else properties[p.slice(0, eq).trim().toLowerCase()] = unescapeProperty(p.slice(eq + 1));
    }
  }
  return { command, properties, message: unescapeData(rest.slice(close + 1)) };
}

/** Logging-command booleans are "true"/"false", case-insensitive. */
export function propTrue(v: string | undefined): boolean {
  return (v ?? '').trim().toLowerCase() === 'true';
}
