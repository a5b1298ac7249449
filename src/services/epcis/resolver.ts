/**
 * A GS1-Conformant resolver (GS1-Conformant Resolver 1.2; checked as GS1's resolver test suite checks,
 * github.com/gs1/GS1DL-resolver-testsuite) for FishTrace's product lots, beside the EPCIS query interface:
 *
 *   GET /.well-known/gs1resolver                   the resolver description file
 *   GET /01/{gtin14}/10/{lot}  and  /01/{gtin14}    307 to the requested link type, else the default (the journey page)
 *       ?linkType=gs1:pip | gs1:epcis | gs1:traceability | gs1:masterData | gs1:recallStatus
 *       ?linkType=linkset (or all), or Accept: application/linkset+json   the RFC 9264 linkset (200)
 *
 * Links of a lot: gs1:pip and gs1:defaultLink the dApp's journey page; gs1:epcis the lot's EPCIS events
 * (`/epcis/epcs/{link}/events`); gs1:recallStatus its recall events (EQ_disposition=recalled: an empty list, not
 * recalled); gs1:traceability the trace (`/v1/trace?link=`), gs1:masterData the journey's facts
 * (`/v1/journey?link=`) on the trace API. A lot the EPCIS store does not hold walks up to its GTIN's links (the
 * journey page of the GTIN is the dApp's, its EPCIS events those of every lot of the GTIN are not listed); a GTIN
 * with no lot in the store is 404, a path that is no GS1 Digital Link of a GTIN 400. A redirect keeps the request's
 * other query parameters and names the linkset in a `Link` header; a linkset names its JSON-LD context. Every
 * link is in English (`hreflang: ["en"]`): Accept-Language has no other language to choose.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Sql } from "../../index/db.js";
import { gtinCheckDigit } from "../../core/digital-link.js";

/** Where the resolver's links point. */
export interface ResolverOptions {
  /** The resolver's public origin, its links' anchor (`https://id.fishtrace.example`). */
  root: string;
  /** The dApp's origin: the journey page is `{web}/01/{gtin}/10/{lot}`. */
  web: string;
  /** The EPCIS query interface's origin (`{epcis}/epcis/…`). */
  epcis: string;
  /** The trace API's origin (`{trace}/v1/trace`, `/v1/journey`). */
  trace: string;
}

const VOC = "https://ref.gs1.org/voc/";
const LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context";
const LINK_TYPES = ["pip", "epcis", "traceability", "masterData", "recallStatus"] as const;
type LinkType = (typeof LINK_TYPES)[number];

interface LinkObject {
  href: string;
  title: string;
  type?: string;
  hreflang?: string[];
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "accept, accept-language",
  "access-control-expose-headers": "link, location",
};

/** The resolver description file (/.well-known/gs1resolver). */
export function resolverDescription(options: ResolverOptions): object {
  return {
    name: "FishTrace GS1-Conformant resolver",
    resolverRoot: options.root,
    supportedPrimaryKeys: ["01"],
    supportedLinkType: [{ namespace: VOC, prefix: "gs1:" }],
    linkTypeDefaultCanBeLinkset: false,
  };
}

/** A path `/01/{gtin}[/10/{lot}]` (a trailing slash tolerated) → its GTIN and lot; undefined: not such a path. */
export function resolverKey(path: string): { gtin: string; lot?: string } | { error: string } | undefined {
  const m = /^\/01\/([^/]+)(?:\/10\/([^/]+))?\/?$/.exec(path);
  if (m === null) return /^\/01(\/|$)/.test(path) ? { error: `${path} is not /01/{GTIN}[/10/{lot}]` } : undefined;
  const [, gtin = "", encodedLot] = m;
  if (!/^\d{14}$/.test(gtin)) return { error: `the GTIN ${gtin} is not 14 digits` };
  if (gtinCheckDigit(gtin.slice(0, 13)) !== Number(gtin[13]))
    return { error: `the GTIN ${gtin} has a wrong check digit` };
  if (encodedLot === undefined) return { gtin };
  let lot: string;
  try {
    lot = decodeURIComponent(encodedLot);
  } catch {
    return { error: `the lot ${encodedLot} is not valid percent-encoding` };
  }
  // GS1's AI 10: 1–20 characters of its character set 82.
  if (!/^[!"%-?A-Z_a-z]{1,20}$/.test(lot)) return { error: `the lot ${lot} is not a GS1 lot number (AI 10)` };
  return { gtin, lot };
}

/** The lot's Digital Link as the EPCIS store names it (`https://id.gs1.org/01/{gtin}/10/{lot}`). */
const lotLink = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lot)}`;

/** The links of a lot, or of a GTIN (`lot` undefined). */
function linksOf(options: ResolverOptions, gtin: string, lot?: string): Partial<Record<LinkType, LinkObject>> {
  const en = ["en"];
  if (lot === undefined) {
    return { pip: { href: `${options.web}/01/${gtin}`, title: "The product", type: "text/html", hreflang: en } };
  }
  const link = encodeURIComponent(lotLink(gtin, lot));
  const path = `/01/${gtin}/10/${encodeURIComponent(lot)}`;
  const json = "application/json";
  return {
    pip: { href: `${options.web}${path}`, title: "Where this fish comes from", type: "text/html", hreflang: en },
    epcis: { href: `${options.epcis}/epcis/epcs/${link}/events`, title: "EPCIS events", type: json, hreflang: en },
    traceability: { href: `${options.trace}/v1/trace?link=${link}`, title: "Trace", type: json, hreflang: en },
    masterData: { href: `${options.trace}/v1/journey?link=${link}`, title: "Lot facts", type: json, hreflang: en },
    recallStatus: {
      href: `${options.epcis}/epcis/events?MATCH_anyEPCClass=${link}&EQ_disposition=recalled`,
      title: "Recall events (none: not recalled)",
      type: json,
      hreflang: en,
    },
  };
}

/** The requested link type as a bare name (`gs1:epcis`, `https://ref.gs1.org/voc/epcis` → `epcis`). */
function linkTypeOf(value: string | null): string | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  for (const prefix of ["gs1:", VOC, "https://gs1.org/voc/", "https://www.gs1.org/voc/"]) {
    if (text.startsWith(prefix)) return text.slice(prefix.length);
  }
  return text;
}

/**
 * The key kinds naming a lot (FishTrace's lots are EPC classes, in a quantity list or a transformation's), written
 * into the statement: the planner matches them to the index's predicate while it plans.
 */
const CLASS_KINDS = "kind = ANY('{epcClass,inputEPCClass,outputEPCClass}'::text[])";

/**
 * The statement telling whether the store holds events of the lot, or of any lot of the GTIN (`lot` undefined).
 * Both name the class kinds, which the store's `epcis_event_keys_class` index is on, so each reads a few index
 * pages whatever the store's size and collation (a lookup by value alone scans every key row on PostgreSQL < 18).
 */
export function knownStatement(gtin: string, lot?: string): { text: string; params: unknown[] } {
  return lot === undefined
    ? {
        text: `SELECT 1 FROM epcis_event_keys WHERE ${CLASS_KINDS} AND value LIKE $1 LIMIT 1`,
        params: [`https://id.gs1.org/01/${gtin}/10/%`],
      }
    : {
        text: `SELECT 1 FROM epcis_event_keys WHERE ${CLASS_KINDS} AND value = $1 LIMIT 1`,
        params: [lotLink(gtin, lot)],
      };
}

/** Whether the store holds events of the lot, or of any lot of the GTIN. */
async function known(sql: Sql, gtin: string, lot?: string): Promise<boolean> {
  const { text, params } = knownStatement(gtin, lot);
  return (await sql.query(text, params)).length > 0;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json", ...CORS });
  res.end(JSON.stringify({ error: message }) + "\n");
}

/**
 * Answers a resolver request (/.well-known/gs1resolver, /01/…) and resolves true; false for any other path.
 */
export async function resolve(
  sql: Sql,
  options: ResolverOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/.well-known/gs1resolver") {
    res.writeHead(200, { "content-type": "application/json", ...CORS });
    res.end(JSON.stringify(resolverDescription(options)) + "\n");
    return true;
  }
  const key = resolverKey(path);
  if (key === undefined) return false;
  if (req.method === "OPTIONS") {
    res.writeHead(204, { allow: "GET, HEAD, OPTIONS", ...CORS });
    res.end();
    return true;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD, OPTIONS");
    refuse(res, 405, `${req.method ?? "?"} is not allowed (GET, HEAD, OPTIONS)`);
    return true;
  }
  if ("error" in key) {
    refuse(res, 400, key.error);
    return true;
  }
  // An unknown lot walks up to its GTIN; an unknown GTIN is not found.
  const lot = key.lot !== undefined && (await known(sql, key.gtin, key.lot)) ? key.lot : undefined;
  if (lot === undefined && !(await known(sql, key.gtin))) {
    refuse(res, 404, `no lot of GTIN ${key.gtin} is known here`);
    return true;
  }
  const anchor = `${options.root}/01/${key.gtin}${lot === undefined ? "" : `/10/${encodeURIComponent(lot)}`}`;
  const links = linksOf(options, key.gtin, lot);
  const wanted = linkTypeOf(url.searchParams.get("linkType"));
  const accept = req.headers.accept ?? "";
  if (
    wanted === "linkset" ||
    wanted === "all" ||
    (wanted === undefined && accept.includes("application/linkset+json"))
  ) {
    const body: Record<string, unknown> = {
      anchor,
      itemDescription: `FishTrace lot ${lot ?? "(any)"} of GTIN ${key.gtin}`,
    };
    for (const [type, link] of Object.entries(links)) body[`${VOC}${type}`] = [link];
    const pip = links.pip;
    if (pip !== undefined) body[`${VOC}defaultLink`] = [{ href: pip.href, title: pip.title }];
    const json = accept.includes("application/linkset+json") || !accept.includes("application/json");
    res.writeHead(200, {
      "content-type": json ? "application/linkset+json" : "application/json",
      link: `<${LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
      ...CORS,
    });
    res.end(JSON.stringify({ linkset: [body] }) + "\n");
    return true;
  }
  const type = LINK_TYPES.find((t) => t === wanted);
  // A link type the lot does not have: the default link (the standard's rule).
  const target = (type === undefined ? undefined : links[type]) ?? links.pip;
  if (target === undefined) {
    refuse(res, 404, `no link for ${anchor}`);
    return true;
  }
  // The request's other query parameters go on to the target (the standard's default).
  const passed = new URLSearchParams(url.searchParams);
  passed.delete("linkType");
  const extra = passed.toString();
  const location = extra === "" ? target.href : `${target.href}${target.href.includes("?") ? "&" : "?"}${extra}`;
  res.writeHead(307, {
    location,
    link: `<${anchor}?linkType=linkset>; rel="linkset"; type="application/linkset+json"`,
    vary: "accept, accept-language",
    ...CORS,
  });
  res.end();
  return true;
}
