/**
 * The subscription endpoints of the EPCIS interface (mounted by http.ts):
 *
 *   POST   /epcis/queries/{name}/subscriptions          {"dest", "signatureToken", "stream": true | "schedule": {…},
 *                                                       "reportIfEmpty"?, "initialRecordTime"?} → 201, Location
 *   GET    /epcis/queries/{name}/subscriptions          the query's subscriptions (all: at most 1,000 per query)
 *   GET    /epcis/queries/{name}/subscriptions/{id}
 *   DELETE /epcis/queries/{name}/subscriptions/{id}     204; its undelivered reports are dropped
 *
 * An unknown query or subscription is 404 NoSuchNameException; a bad body 400 SubscriptionControlsException (or
 * ValidationException when it is no JSON); a body that is not application/json 415.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Sql } from "../../index/db.js";
import { jsonBody } from "./json-body.js";
import { EPCIS_HEADERS, EpcisProblem, notFound, sendJson } from "./problem.js";
import { NamedQueries } from "./queries.js";
import { subscriptionJson, subscriptionOf, Subscriptions } from "./subscriptions.js";
import type { WebhookPolicy } from "./webhook.js";

/** The largest subscription request body. */
export const SUBSCRIPTION_BODY_LIMIT = 16 * 1024;

/** The paths this module answers, and the methods each allows. */
export const SUBSCRIPTIONS_PATH = /^\/epcis\/queries\/([^/]+)\/subscriptions(?:\/([^/]+))?$/;

export function subscriptionMethods(path: string): string | undefined {
  const match = SUBSCRIPTIONS_PATH.exec(path);
  if (match === null) return undefined;
  return match[2] === undefined ? "OPTIONS, GET, POST" : "OPTIONS, GET, DELETE";
}

const tooLarge = (detail: string) =>
  new EpcisProblem(400, "SubscriptionControlsException", "Subscription too large", detail);

function segment(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw notFound(`${what} "${text}" is not valid percent-encoding`);
  }
}

/**
 * Answers a request on a subscription path (`path` matches SUBSCRIPTIONS_PATH; the method is allowed) in the
 * caller's `scope` (a scopeKey): a subscription is made in it, its reports hold what that scope may read, and only
 * the same scope lists, reads or ends it.
 */
export async function answerSubscriptions(
  sql: Sql,
  policy: WebhookPolicy,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  scope: string,
): Promise<void> {
  const match = SUBSCRIPTIONS_PATH.exec(path);
  const name = segment(match?.[1] ?? "", "query name");
  const id = match?.[2] === undefined ? undefined : segment(match[2], "subscriptionID");
  const subscriptions = new Subscriptions(sql);
  // The query must exist (404 NoSuchNameException otherwise).
  await new NamedQueries(sql).get(name);
  const method = req.method ?? "GET";
  if (id === undefined) {
    if (method === "POST") {
      const created = await subscriptions.create(
        subscriptionOf(
          await jsonBody(req, res, SUBSCRIPTION_BODY_LIMIT, "subscription", tooLarge),
          name,
          scope,
          policy,
        ),
      );
      const location = `/epcis/queries/${encodeURIComponent(name)}/subscriptions/${created.id}`;
      sendJson(res, 201, subscriptionJson(created), { location });
      return;
    }
    sendJson(res, 200, (await subscriptions.list(name, scope)).map(subscriptionJson));
    return;
  }
  if (method === "DELETE") {
    await subscriptions.delete(name, id, scope);
    res.writeHead(204, EPCIS_HEADERS);
    res.end();
    return;
  }
  sendJson(res, 200, subscriptionJson(await subscriptions.get(name, id, scope)));
}
