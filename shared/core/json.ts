import * as jsonc from 'jsonc-parser';
import { InputError, SourceLocation } from './errors';
import { readUserTextFile } from './read-file';

/** A parsed JSON document that can map a JSON pointer back to line/column for error messages. */
export interface LocatedJson<T = unknown> {
  value: T;
  file: string;
  text: string;
  locate(pointer: string): SourceLocation;
}

export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: offset - lineStart + 1 };
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map((p) => {
    const s = p.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(s) ? Number(s) : s;
  });
}

/**
 * Strict JSON (no comments, no trailing commas — the IoT Hub and the agent reject them),
 * with errors at line:column of the file.
 */
export function parseJsonText<T = unknown>(text: string, file: string): LocatedJson<T> {
  const errors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    const pos = offsetToLineColumn(text, e ? e.offset : 0);
    const what = e ? jsonc.printParseErrorCode(e.error) : 'EmptyDocument';
    throw new InputError(`Invalid JSON: ${describeParseError(what)}`, { file, ...pos });
  }
  // The tree is for locations; the value comes from JSON.parse so objects have normal prototypes.
  const value = JSON.parse(text) as T;
  return {
    value,
    file,
    text,
    locate(pointer: string): SourceLocation {
      const node = jsonc.findNodeAtLocation(tree, pointerToPath(pointer));
      if (!node) return { file, field: pointer };
      // Point at the property name when there is one: that is what an editor shows.
      const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
      return { file, field: pointer, ...offsetToLineColumn(text, at) };
    },
  };
}

export function readJsonFile<T = unknown>(file: string): LocatedJson<T> {
  return parseJsonText<T>(readUserTextFile(file), file);
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'property name expected',
    ValueExpected: 'value expected',
    ColonExpected: '":" expected',
    CommaExpected: '"," expected',
    CloseBraceExpected: '"}" expected',
    CloseBracketExpected: '"]" expected',
    EndOfFileExpected: 'unexpected content after the end of the document',
    InvalidCommentToken: 'comments are not allowed',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
    EmptyDocument: 'the document is empty',
  };
  return words[code] ?? code;
}
