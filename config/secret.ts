import { inspect } from 'node:util';

/**
 * A secret from the environment. It prints as `[redacted]` through `JSON.stringify`, `String()`, template
 * strings and `util.inspect` (pino, Nest and Jest all use one of these), so a config object logged by
 * mistake never leaks it; only {@link Secret.reveal} returns the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The raw value, for the one place that sends it (an Authorization header or an SDK constructor). */
  reveal(): string {
    return this.#value;
  }
  get isSet(): boolean {
    return this.#value.length > 0;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
