/**
 * The EPCISQueryDocument every answer of the query interface is, and every subscription delivery: the events
 * already in JSON spliced in (not parsed again), with the query's name and, for a delivery, the subscription's ID
 * (the EPCIS JSON schema's `queryResults.subscriptionID`).
 */
import { epcisContext } from "../../exports/epcis.js";

/** An EPCISQueryDocument around events already in JSON. */
export function queryDocument(queryName: string, bodies: string[], subscriptionID?: string): string {
  const subscription = subscriptionID === undefined ? "" : `"subscriptionID":${JSON.stringify(subscriptionID)},`;
  return (
    `{"@context":${JSON.stringify(epcisContext())},"type":"EPCISQueryDocument","schemaVersion":"2.0",` +
    `"creationDate":"${new Date().toISOString()}","epcisBody":{"queryResults":{"queryName":` +
    `${JSON.stringify(queryName)},${subscription}"resultsBody":{"eventList":[${bodies.join(",")}]}}}}\n`
  );
}
