/**
 * JSON.parse with an error a person can act on. V8's messages sometimes carry no position and
 * sometimes quote several lines of the input; this finds the first offending character itself.
 */

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`invalid JSON at line ${line}, column ${column}: ${problem}`);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw locateJsonError(text);
  }
}

/** A strict JSON scanner that stops at the first error; only called when JSON.parse has failed. */
export function locateJsonError(text: string): JsonSyntaxError {
  let at = 0;

  const fail = (problem: string): never => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new JsonSyntaxError(line, column, problem);
  };
  const describe = (): string =>
    at >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[at])}`;
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at += 1;
  };
  const expect = (ch: string) => {
    space();
    if (text[at] !== ch) fail(`${describe()}, expected "${ch}"`);
    at += 1;
  };
  const string = () => {
    at += 1;
    while (at < text.length && text[at] !== '"') {
      const ch = text[at]!;
      if (ch < ' ') fail('control character in string');
      if (ch === '\\') {
        at += 1;
        const escaped = text[at];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape');
          at += 4;
        } else if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) fail('bad escape in string');
      }
      at += 1;
    }
    if (at >= text.length) fail('unterminated string');
    at += 1;
  };
  const value = (): void => {
    space();
    const ch = text[at];
    if (ch === '{') {
      at += 1;
      space();
      if (text[at] === '}') {
        at += 1;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail(`${describe()}, expected a property name in double quotes`);
        string();
        expect(':');
        value();
        space();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        if (text[at] === '}') {
          at += 1;
          return;
        }
        fail(`${describe()}, expected "," or "}"`);
      }
    }
    if (ch === '[') {
      at += 1;
      space();
      if (text[at] === ']') {
        at += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        if (text[at] === ']') {
          at += 1;
          return;
        }
        fail(`${describe()}, expected "," or "]"`);
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(at, at + 400),
    );
    if (!literal) fail(`${describe()}, expected a value`);
    at += literal![0].length;
  };

  try {
    value();
    space();
    if (at < text.length) fail(`${describe()} after the end of the value`);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  // JSON.parse failed but the scanner did not: report the whole text rather than invent a place.
  return new JsonSyntaxError(1, 1, 'not valid JSON');
}
