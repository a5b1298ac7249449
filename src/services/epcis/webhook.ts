/**
 * Webhooks out of the EPCIS service: where a subscription may send (`dest`), how a delivery is signed, and the POST.
 *
 * Where (SSRF: a subscriber must not make the service call its own network): a `dest` is an http(s) URL without
 * user:password. With `allowedHosts` (the serving task's `--webhook-hosts`) only those hosts (exact, or `*.example.com`
 * for its subdomains) are called, at whatever address they resolve to — the operator vouches for them. Without it any
 * host is called whose every address is public: loopback, private, link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT, multicast and reserved addresses are refused, checked on the address the connection is made to
 * (a name resolved at each delivery, so a name re-pointed at 10.0.0.1 after subscribing is still refused), and
 * loopback only with `allowLoopback` (`--allow-loopback-webhooks`: tests, a receiver on the same machine).
 * Redirects are not followed.
 *
 * Signing: `GS1-Signature: sha256=<hex>`, the HMAC-SHA-256 of the body's exact bytes keyed with the subscription's
 * `signatureToken` (UTF-8) — the OpenAPI's header, with the HMAC it names as an example.
 */
import { createHmac } from "node:crypto";
import { lookup as dnsLookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

import { InputError } from "../../core/input-error.js";
import { subscriptionProblem } from "./problem.js";

export interface WebhookPolicy {
  /** Only these hosts (`partner.example.com`, `*.example.com`), at any address; default: any public host. */
  allowedHosts?: string[];
  /** Also loopback addresses and `localhost` (not with allowedHosts, which decides alone). */
  allowLoopback?: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Addresses no webhook is sent to unless its host is allowed by name. */
const NOT_PUBLIC = new BlockList();
const PRIVATE_V4: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
];
for (const [net, bits] of PRIVATE_V4) {
  NOT_PUBLIC.addSubnet(net, bits, "ipv4");
}
const PRIVATE_V6: [string, number][] = [
  ["::", 127],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
];
for (const [net, bits] of PRIVATE_V6) {
  NOT_PUBLIC.addSubnet(net, bits, "ipv6");
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`) as its IPv4 address. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex === null) return address;
  const [high, low] = [parseInt(hex[1] ?? "0", 16), parseInt(hex[2] ?? "0", 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** Why `address` may not be called under `policy` (undefined: it may). */
export function addressRefusal(address: string, policy: WebhookPolicy): string | undefined {
  const ip = unmapped(address);
  const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
  if (LOOPBACK.check(ip, family)) return policy.allowLoopback === true ? undefined : `${address} is a loopback address`;
  if (NOT_PUBLIC.check(ip, family)) return `${address} is not a public address`;
  return undefined;
}

/** `--webhook-hosts`: host names or `*.suffix`es, comma-separated; refused in one line when it is anything else. */
export function webhookHosts(text: string): string[] {
  const hosts = text.split(",").map((h) => h.trim().toLowerCase());
  const bad = hosts.find(
    (h) => !/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/.test(h),
  );
  if (bad !== undefined) {
    throw new InputError(
      `--webhook-hosts: "${bad}" is not a host name (give names such as partner.example.com or *.example.com, comma-separated)`,
    );
  }
  return hosts;
}

const bareHost = (hostname: string): string => hostname.replace(/^\[|\]$/g, "").toLowerCase();

/** Whether `host` is one of `allowed` (exact, or `*.suffix` for its subdomains). */
function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((a) => {
    const name = a.trim().toLowerCase();
    return name.startsWith("*.") ? host.endsWith(name.slice(1)) : host === bareHost(name);
  });
}

const refused = (dest: string, why: string) => subscriptionProblem(`dest ${dest}: ${why}`);

/** A subscription's `dest`, checked under `policy`; refused with a one-line SubscriptionControlsException. */
export function webhookDest(value: unknown, policy: WebhookPolicy): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw subscriptionProblem("dest must be the webhook's http or https URL");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refused(value, "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(value, `${url.protocol.replace(/:$/, "")} is not a webhook scheme (http or https)`);
  }
  if (url.username !== "" || url.password !== "") throw refused(value, "a user or password in the URL");
  const host = bareHost(url.hostname);
  if (policy.allowedHosts !== undefined && policy.allowedHosts.length > 0) {
    if (!hostAllowed(host, policy.allowedHosts)) {
      throw refused(value, `${host} is not an allowed webhook host (${policy.allowedHosts.join(", ")})`);
    }
    return url.toString();
  }
  const local = host === "localhost" || host.endsWith(".localhost");
  if (local && policy.allowLoopback !== true) throw refused(value, `${host} is this machine`);
  const why = isIP(host) === 0 ? undefined : addressRefusal(host, policy);
  if (why !== undefined) throw refused(value, why);
  return url.toString();
}

/** The GS1-Signature header's value of `body` under `token`. */
export function signature(body: string | Buffer, token: string): string {
  return `sha256=${createHmac("sha256", token).update(body).digest("hex")}`;
}

/** DNS resolution that refuses a name any of whose addresses the policy forbids (at connection time). */
export function guardedLookup(policy: WebhookPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) return callback(err, "", 4);
      const bad = addresses.map((a) => addressRefusal(a.address, policy)).find((w) => w !== undefined);
      const first = addresses[0];
      if (bad !== undefined || first === undefined) {
        const error: NodeJS.ErrnoException = new Error(`${hostname}: ${bad ?? "no address"}`);
        error.code = "EWEBHOOKADDRESS";
        return callback(error, "", 4);
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

export interface PostResult {
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why there is no answer (refused address, connection error, timeout). */
  error?: string;
  ms: number;
}

/**
 * POSTs `body` to `dest` with `headers`, at most `timeoutMs` in all; the answer's body is read and dropped. Never
 * throws: a failure is `{error}`.
 */
export async function postWebhook(
  dest: string,
  body: string,
  headers: Record<string, string>,
  options: { policy: WebhookPolicy; timeoutMs: number },
): Promise<PostResult> {
  const started = Date.now();
  const done = (result: { status?: number; error?: string }): PostResult => ({ ...result, ms: Date.now() - started });
  let url: URL;
  try {
    url = new URL(webhookDest(dest, options.policy));
  } catch (err) {
    return done({ error: err instanceof Error ? err.message : String(err) });
  }
  const named = options.policy.allowedHosts !== undefined && options.policy.allowedHosts.length > 0;
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: { status?: number; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(result));
    };
    const req = request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      ...(named ? {} : { lookup: guardedLookup(options.policy) }),
    });
    // The limit holds for the whole exchange: connecting, sending, and the answer to its last byte.
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on("response", (res: IncomingMessage) => {
      res.resume();
      res.on("end", () => finish({ status: res.statusCode ?? 0 }));
      res.on("error", (err) => finish({ error: err.message }));
    });
    req.on("error", (err) => finish({ error: err.message }));
    req.end(body);
  });
}
