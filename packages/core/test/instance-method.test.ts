import { wrapInstanceMethod, wrapMethodOf } from '../src/index.js';

class Greeter {
  constructor(readonly name: string) {}

  greet(greeting: string): string {
    return `${greeting}, ${this.name}`;
  }
}

type Greet = Greeter['greet'];

/** A wrapper that calls the original with the caller's `this` and notes each call. */
function counting(calls: string[]): (original: Greet) => Greet {
  return (original) =>
    function greet(this: Greeter, greeting: string): string {
      calls.push(greeting);
      return original.call(this, greeting);
    };
}

const own = (o: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(o, key);
/** What `greet` resolves to on `o` (own property or prototype), read without calling it. */
const greetOf = (o: object): unknown => Reflect.get(o, 'greet');

describe('wrapInstanceMethod', () => {
  it('shadows the prototype on this instance only', () => {
    const calls: string[] = [];
    const a = new Greeter('a');
    const b = new Greeter('b');
    const protoBefore = own(Greeter.prototype, 'greet');
    wrapInstanceMethod(a, 'greet', counting(calls));

    expect(Object.prototype.hasOwnProperty.call(a, 'greet')).toBe(true);
    expect(own(a, 'greet')).toMatchObject({ writable: true, configurable: true, enumerable: false });
    expect(Object.keys(a)).toEqual(['name']);
    expect(own(Greeter.prototype, 'greet')).toEqual(protoBefore);
    expect(Object.prototype.hasOwnProperty.call(b, 'greet')).toBe(false);

    expect(a.greet('hello')).toBe('hello, a');
    expect(b.greet('hi')).toBe('hi, b');
    expect(calls).toEqual(['hello']);
  });

  it('hands `make` the current value, an own one before the prototype', () => {
    const g = new Greeter('g');
    const mine: Greet = () => 'mine';
    g.greet = mine;
    let seen: Greet | undefined;
    wrapInstanceMethod(g, 'greet', (original) => {
      seen = original;
      return original;
    });
    expect(seen).toBe(mine);
  });

  it('undo removes the own property when there was none', () => {
    const g = new Greeter('g');
    const before = own(g, 'greet');
    const names = Object.getOwnPropertyNames(g);
    const undo = wrapInstanceMethod(g, 'greet', counting([]));
    undo();
    expect(before).toBeUndefined();
    expect(own(g, 'greet')).toEqual(before);
    expect(Object.getOwnPropertyNames(g)).toEqual(names);
    expect(greetOf(g)).toBe(greetOf(Greeter.prototype));
  });

  it('undo restores a previous own property exactly, descriptor and all', () => {
    const g = new Greeter('g');
    const mine: Greet = (greeting) => `${greeting}!`;
    Object.defineProperty(g, 'greet', { value: mine, writable: false, enumerable: true, configurable: true });
    const before = own(g, 'greet');
    const keys = Object.keys(g);

    const calls: string[] = [];
    const undo = wrapInstanceMethod(g, 'greet', counting(calls));
    expect(g.greet('hey')).toBe('hey!');
    expect(calls).toEqual(['hey']);
    undo();

    expect(own(g, 'greet')).toEqual(before);
    expect(Object.keys(g)).toEqual(keys);
    expect(greetOf(g)).toBe(mine);
  });

  it('undo restores a previous own accessor exactly', () => {
    const g = new Greeter('g');
    const get = (): Greet => () => 'got';
    Object.defineProperty(g, 'greet', { get, enumerable: false, configurable: true });
    const before = own(g, 'greet');
    const undo = wrapInstanceMethod(g, 'greet', counting([]));
    expect(own(g, 'greet')).toHaveProperty('value');
    undo();
    expect(own(g, 'greet')).toEqual(before);
  });

  it('keeps the enumerable flag of the property it shadows', () => {
    const shown = new Greeter('shown');
    shown.greet = (greeting) => greeting;
    expect(own(shown, 'greet')?.enumerable).toBe(true);
    wrapInstanceMethod(shown, 'greet', counting([]));
    expect(own(shown, 'greet')?.enumerable).toBe(true);
    expect(Object.keys(shown)).toEqual(['name', 'greet']);

    const hidden = new Greeter('hidden');
    Object.defineProperty(hidden, 'greet', { value: () => '', writable: true, configurable: true });
    wrapInstanceMethod(hidden, 'greet', counting([]));
    expect(own(hidden, 'greet')?.enumerable).toBe(false);
    expect(Object.keys(hidden)).toEqual(['name']);
  });

  it('undo leaves a later wrapper in place', () => {
    const g = new Greeter('g');
    const calls: string[] = [];
    const undo = wrapInstanceMethod(g, 'greet', counting(calls));
    const ours = greetOf(g) as Greet;
    const theirs: Greet = function (this: Greeter, greeting) {
      return `[${ours.call(this, greeting)}]`;
    };
    g.greet = theirs;
    const after = own(g, 'greet');

    undo();
    expect(own(g, 'greet')).toEqual(after);
    expect(greetOf(g)).toBe(theirs);
    expect(g.greet('yo')).toBe('[yo, g]');
    expect(calls).toEqual(['yo']);
  });

  it('undo leaves a later wrapper in place when it was installed with its own undo', () => {
    const g = new Greeter('g');
    const undoOurs = wrapInstanceMethod(g, 'greet', counting([]));
    const ours = greetOf(g);
    const undoTheirs = wrapInstanceMethod(g, 'greet', counting([]));
    const theirs = greetOf(g);
    undoOurs();
    expect(greetOf(g)).toBe(theirs);
    undoTheirs();
    // Theirs restores what it found: our wrapper, now left for its owner to treat as a pass-through.
    expect(own(g, 'greet')?.value).toBe(ours);
  });

  it('undo is harmless to call again', () => {
    const g = new Greeter('g');
    const mine: Greet = () => 'mine';
    g.greet = mine;
    const before = own(g, 'greet');
    const undo = wrapInstanceMethod(g, 'greet', counting([]));
    undo();
    undo();
    expect(own(g, 'greet')).toEqual(before);
  });

  it('replaces a value that is not a method the same way', () => {
    const holder: { config: { size: number } } = { config: { size: 1 } };
    const original = holder.config;
    const before = own(holder, 'config');
    const undo = wrapInstanceMethod(holder, 'config', (config) => Object.create(config) as { size: number });
    expect(holder.config).not.toBe(original);
    expect(holder.config.size).toBe(1);
    undo();
    expect(own(holder, 'config')).toEqual(before);
  });
});

describe('wrapMethodOf', () => {
  // A class of its own per test: the swaps live on its prototype.
  const fresh = () =>
    class Client extends Greeter {
      shout(text: string): string {
        return text.toUpperCase();
      }
    };

  it('runs the wrapper for this instance only, and adds no own property to it', () => {
    const calls: string[] = [];
    const Client = fresh();
    const a = new Client('a');
    const b = new Client('b');
    const keys = Object.keys(a);
    const before = own(Greeter.prototype, 'greet');
    const undo = wrapMethodOf(a, 'greet', counting(calls));

    expect(Object.keys(a)).toEqual(keys);
    expect(Object.getOwnPropertyNames(a)).toEqual(['name']);
    expect(Object.prototype.hasOwnProperty.call(a, 'greet')).toBe(false);
    expect(a.greet('hello')).toBe('hello, a');
    expect(b.greet('hi')).toBe('hi, b');
    expect(new Greeter('c').greet('hey')).toBe('hey, c');
    expect(calls).toEqual(['hello']);
    // Swapped where the method is defined, keeping its descriptor's flags, name and length.
    const swapped = own(Greeter.prototype, 'greet');
    expect(swapped?.value).not.toBe(before?.value);
    expect({ ...swapped, value: undefined }).toEqual({ ...before, value: undefined });
    expect((swapped?.value as Greet).name).toBe('greet');
    expect((swapped?.value as Greet).length).toBe(1);

    undo();
    expect(own(Greeter.prototype, 'greet')).toEqual(before);
    expect(a.greet('again')).toBe('again, a');
    expect(calls).toEqual(['hello']);
  });

  it('gives the prototype its method back only when the last wrapped instance is undone', () => {
    const calls: string[] = [];
    const Client = fresh();
    const a = new Client('a');
    const b = new Client('b');
    const before = own(Client.prototype, 'shout');
    const shouting = (original: (t: string) => string) =>
      function shout(this: unknown, text: string): string {
        calls.push(text);
        return original.call(this, text);
      };
    const undoA = wrapMethodOf(a, 'shout', shouting);
    const undoB = wrapMethodOf(b, 'shout', shouting);
    undoA();
    undoA();
    expect(own(Client.prototype, 'shout')).not.toEqual(before);
    expect([a.shout('x'), b.shout('y')]).toEqual(['X', 'Y']);
    expect(calls).toEqual(['y']);
    undoB();
    expect(own(Client.prototype, 'shout')).toEqual(before);
  });

  it('wrapped twice, the second wrapper calls the first; each undo takes off its own', () => {
    const calls: string[] = [];
    const Client = fresh();
    const a = new Client('a');
    const undoFirst = wrapMethodOf(
      a,
      'greet',
      (original) =>
        function greet(this: Greeter, g: string): string {
          calls.push(`first ${g}`);
          return original.call(this, g);
        },
    );
    const undoSecond = wrapMethodOf(
      a,
      'greet',
      (original) =>
        function greet(this: Greeter, g: string): string {
          calls.push(`second ${g}`);
          return original.call(this, g);
        },
    );
    expect(a.greet('1')).toBe('1, a');
    undoSecond();
    expect(a.greet('2')).toBe('2, a');
    undoFirst();
    expect(a.greet('3')).toBe('3, a');
    expect(calls).toEqual(['second 1', 'first 1', 'first 2']);
  });

  it('leaves a wrapper someone put over the dispatcher in place, and passes its calls through', () => {
    const calls: string[] = [];
    const Client = fresh();
    const a = new Client('a');
    const undo = wrapMethodOf(
      a,
      'shout',
      (original) =>
        function shout(this: unknown, text: string): string {
          calls.push(`ours ${text}`);
          return original.call(this, text);
        },
    );
    const ours = own(Client.prototype, 'shout')?.value as (text: string) => string;
    const theirs = function shout(this: unknown, text: string): string {
      calls.push(`theirs ${text}`);
      return ours.call(this, text);
    };
    Object.defineProperty(Client.prototype, 'shout', { value: theirs });
    undo();
    expect(own(Client.prototype, 'shout')?.value).toBe(theirs);
    expect(a.shout('q')).toBe('Q');
    expect(calls).toEqual(['theirs q']);
  });

  it('wraps a method the instance holds as its own property there, keeping its keys', () => {
    const calls: string[] = [];
    const a = new Greeter('a') as Greeter & { greet: Greet };
    const greet = greetOf(Greeter.prototype);
    Object.defineProperty(a, 'greet', { value: greet, writable: true, enumerable: true, configurable: true });
    const keys = Object.keys(a);
    const undo = wrapMethodOf(a, 'greet', counting(calls));
    expect(Object.keys(a)).toEqual(keys);
    expect(a.greet('own')).toBe('own, a');
    expect(calls).toEqual(['own']);
    undo();
    expect(own(a, 'greet')?.value).toBe(greet);
  });
});
