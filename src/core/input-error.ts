/**
 * The one error a user's mistake raises: a bad argument, a malformed file or reading, a value out of range. Every
 * surface prints it as one line naming what is wrong — the tasks as `error: …`, the services as a 400 answer, the
 * dApp beside the field — never with a stack trace. Its own module so that every layer, the browser's included, can
 * throw it without importing anything else.
 */

/** A user mistake (bad argument, malformed reading): printed as one line, never with a stack trace. */
export class InputError extends Error {
  override readonly name = "InputError";
}
