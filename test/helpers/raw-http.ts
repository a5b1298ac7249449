/**
 * HTTP the way a hostile or careless client speaks it, over a raw socket: an upload that never ends, a body sent
 * whole whatever the server answers. Shared by the hostile-input tests of the relay and the web server.
 */
import { connect } from "node:net";

/**
 * Sends `head` and then `body` chunks over a raw socket for up to `ms`; what came back, whether the server closed
 * the connection, and how many bytes were written before it did.
 */
export async function rawUpload(
  port: number,
  head: string,
  chunk: Buffer,
  ms: number,
): Promise<{ answer: string; closed: boolean; written: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let written = 0;
    let closed = false;
    let stopped = false;
    const finish = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed, written });
    };
    const timer = setTimeout(finish, ms);
    socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    socket.on("error", () => (closed = true));
    socket.on("close", () => {
      closed = true;
      finish();
    });
    const pump = () => {
      while (!stopped && !closed && chunk.length > 0) {
        written += chunk.length;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    socket.write(head, pump);
  });
}
