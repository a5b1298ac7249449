import { expect } from "chai";

import { contextPrefixes, eventHashId, preHashString } from "../../src/exports/event-hash.js";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const EXAMPLE_NS = contextPrefixes([{ gs1: "https://gs1.org/voc/" }, { example: "https://ns.example.com/epcis/" }]);

/**
 * The worked examples of the CBV 2.0 event hash ID (CBV 2.0 §8.9; GS1's reference examples
 * "ReferenceEventHashAlgorithm", 1 to 3): each event, its canonical pre-hash string and its hash as published.
 */
const EXAMPLES: { name: string; event: JsonObject; preHash: string; hash: string }[] = [
  {
    name: "an ObjectEvent of three SSCCs departing, with nested user extensions",
    event: {
      type: "ObjectEvent",
      eventTime: "2020-03-04T11:00:30.000+01:00",
      eventTimeZoneOffset: "+01:00",
      recordTime: "2020-03-04T11:00:30.999+01:00",
      epcList: [
        "urn:epc:id:sscc:4012345.0000000333",
        "urn:epc:id:sscc:4012345.0000000111",
        "urn:epc:id:sscc:4012345.0000000222",
      ],
      action: "OBSERVE",
      bizStep: "departing",
      readPoint: { id: "urn:epc:id:sgln:4012345.00011.987" },
      "example:myField1": { "example:mySubField1": "2", "example:mySubField2": "5" },
      "example:myField2": "0",
      "example:myField3": { "example:mySubField3": ["3", "1"] },
    },
    preHash:
      "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000002225epc=https://id.gs1.org/00/040123450000003338action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/4012345000115/254/987{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1{https://ns.example.com/epcis/}mySubField3=3",
    hash: "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0",
  },
  {
    name: "an inspection with sensor reports",
    event: {
      type: "ObjectEvent",
      eventTime: "2020-04-01T15:00:00+01:00",
      eventTimeZoneOffset: "+01:00",
      epcList: ["urn:epc:id:sgtin:4012345.011111.9876"],
      action: "OBSERVE",
      bizStep: "inspecting",
      readPoint: { id: "urn:epc:id:sgln:4012345.00005.0" },
      sensorElementList: [
        {
          sensorMetadata: {
            deviceID: "urn:epc:id:giai:4000001.111",
            deviceMetadata: "https://id.gs1.org/8004/4000001111",
          },
          sensorReport: [
            { type: "Temperature", value: 26, sDev: 0.1, uom: "CEL" },
            { type: "AbsoluteHumidity", value: 12.1, uom: "A93" },
            {
              type: "Dimensionless",
              microorganism: "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
              value: 0.05,
              uom: "C35",
            },
            {
              type: "Dimensionless",
              chemicalSubstance: "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N",
              value: 0.18,
              uom: "C35",
            },
          ],
        },
      ],
    },
    preHash:
      "eventType=ObjectEventeventTime=2020-04-01T14:00:00.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-inspectingreadPointid=https://id.gs1.org/414/4012345000054sensorElementListsensorElementsensorMetadatadeviceID=https://id.gs1.org/8004/4000001111deviceMetadata=https://id.gs1.org/8004/4000001111sensorReporttype=https://gs1.org/voc/AbsoluteHumidityvalue=12.1uom=A93sensorReporttype=https://gs1.org/voc/DimensionlesschemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-Nvalue=0.18uom=C35sensorReporttype=https://gs1.org/voc/Dimensionlessmicroorganism=https://www.ncbi.nlm.nih.gov/taxonomy/1126011value=0.05uom=C35sensorReporttype=https://gs1.org/voc/Temperaturevalue=26sDev=0.1uom=CEL",
    hash: "ni:///sha-256;49b13037c36e84ad9307c531671b00e901318c3957e4b1151f816ec49eb668da?ver=CBV2.0",
  },
  {
    name: "a shipment with a business transaction, source, destination and extensions",
    event: {
      type: "ObjectEvent",
      eventTime: "2020-03-04T11:00:30+01:00",
      eventTimeZoneOffset: "+01:00",
      epcList: ["urn:epc:id:sgtin:0614141.011111.987"],
      action: "OBSERVE",
      bizStep: "departing",
      disposition: "in_transit",
      readPoint: { id: "urn:epc:id:sgln:4012345.00011.0", "example:myField1": "AB-12" },
      bizTransactionList: [{ type: "po", bizTransaction: "urn:epc:id:gdti:4012345.11111.123" }],
      sourceList: [{ type: "owning_party", source: "urn:epc:id:pgln:4012345.00000" }],
      destinationList: [{ type: "owning_party", destination: "urn:epc:id:pgln:0614141.00000" }],
      "example:userExt": "CD-34",
    },
    preHash:
      "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departingdisposition=https://ref.gs1.org/cbv/Disp-in_transitreadPointid=https://id.gs1.org/414/4012345000115{https://ns.example.com/epcis/}myField1=AB-12bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://id.gs1.org/253/4012345111118123destinationListtype=https://ref.gs1.org/cbv/SDT-owning_partydestination=https://id.gs1.org/417/0614141000005sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009{https://ns.example.com/epcis/}userExt=CD-34",
    hash: "ni:///sha-256;a13cbe6c8bb6df3710b3edaeff760a1365ec8fd69ca1f4d7e0c10eb5189a883a?ver=CBV2.0",
  },
];

describe("CBV 2.0 event hash ID", function () {
  for (const example of EXAMPLES) {
    it(`the standard's example: ${example.name}`, function () {
      expect(preHashString(example.event, EXAMPLE_NS)).to.equal(example.preHash);
      expect(eventHashId(example.event, EXAMPLE_NS)).to.equal(example.hash);
    });
  }

  it("ignores eventID, recordTime and field order; any changed value changes the hash", function () {
    const [first] = EXAMPLES;
    const event = first!.event;
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const hash = eventHashId(event, EXAMPLE_NS);
    expect(eventHashId({ ...reordered, eventID: "x", recordTime: "2030-01-01T00:00:00Z" }, EXAMPLE_NS)).to.equal(hash);
    // The same instant written in another offset is the same event.
    expect(eventHashId({ ...event, eventTime: "2020-03-04T10:00:30Z" }, EXAMPLE_NS)).to.equal(hash);
    expect(eventHashId({ ...event, bizStep: "arriving" }, EXAMPLE_NS)).to.not.equal(hash);
    expect(eventHashId({ ...event, "example:myField2": "1" }, EXAMPLE_NS)).to.not.equal(hash);
  });

  it("writes EPC URIs as canonical Digital Links: PGLN, lot class, SGLN with and without extension", function () {
    const pre = preHashString(
      {
        type: "ObjectEvent",
        eventTime: "2027-01-15T08:00:00Z",
        eventTimeZoneOffset: "+00:00",
        quantityList: [{ epcClass: "urn:epc:class:lgtin:7038010.012345.L2027-001", quantity: 400.0, uom: "KGM" }],
        action: "OBSERVE",
        bizLocation: { id: "urn:epc:id:sgln:7038010.00001.0" },
        sourceList: [{ type: "owning_party", source: "urn:epc:id:pgln:7038010.00001" }],
      },
      new Map(),
    );
    expect(pre).to.equal(
      "eventType=ObjectEventeventTime=2027-01-15T08:00:00.000ZeventTimeZoneOffset=+00:00" +
        "quantityListquantityElementepcClass=https://id.gs1.org/01/07038010123450/10/L2027-001quantity=400uom=KGM" +
        "action=OBSERVEbizLocationid=https://id.gs1.org/414/7038010000010" +
        "sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/7038010000010",
    );
  });
});
