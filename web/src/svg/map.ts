/**
 * An offline map of a catch position: Natural Earth land (world-atlas land-110m, imported into this lazy chunk — no
 * tiles, nothing fetched) drawn in an equirectangular projection with its standard parallel at the catch, a window of
 * ±12° of latitude around it (3:2), a 5° graticule, the catch marker and a small world inset.
 */
import { html, svg, type TemplateResult } from "lit-html";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import land110m from "world-atlas/land-110m.json";

import { defined, propertyOf } from "@core/checks.js";

type Ring = Array<[number, number]>;

/** 1° = 10 SVG units. */
const U = 10;
const HALF_LAT = 12;

let rings: Ring[] | undefined;
let maps = 0;
let worldPath: string | undefined;

/** Whether `value` is a TopoJSON topology whose `land` object is a geometry collection (as world-atlas's is). */
function isLandTopology(value: unknown): value is Topology<{ land: GeometryCollection }> {
  const land = propertyOf(propertyOf(value, "objects"), "land");
  return propertyOf(value, "type") === "Topology" && propertyOf(land, "type") === "GeometryCollection";
}

function landRings(): Ring[] {
  if (rings !== undefined) return rings;
  const topology: unknown = land110m;
  if (!isLandTopology(topology)) throw new Error("internal error: world-atlas/land-110m.json is not a land topology");
  const land = feature(topology, topology.objects.land);
  const out: Ring[] = [];
  for (const f of land.features) {
    const g = f.geometry;
    if (g.type === "Polygon") for (const r of g.coordinates) out.push(unwrap(r));
    else if (g.type === "MultiPolygon") for (const p of g.coordinates) for (const r of p) out.push(unwrap(r));
  }
  rings = out;
  return out;
}

/**
 * A ring made continuous across the antimeridian (longitudes may leave −180..180, e.g. Chukotka at 190°), so no edge
 * jumps across the whole map; a ring around a pole (Antarctica) is closed along that pole.
 */
function unwrap(ring: readonly (readonly number[])[]): Ring {
  const out: Ring = [];
  let offset = 0;
  let previous: number | undefined;
  for (const position of ring) {
    const lon = defined(position[0], "a land position's longitude");
    const lat = defined(position[1], "a land position's latitude");
    if (previous !== undefined) {
      if (lon + offset - previous > 180) offset -= 360;
      else if (lon + offset - previous < -180) offset += 360;
    }
    previous = lon + offset;
    out.push([previous, lat]);
  }
  const first = out[0];
  const last = out.at(-1);
  if (first !== undefined && last !== undefined && Math.abs(last[0] - first[0]) > 180) {
    const pole = out.reduce((sum, [, lat]) => sum + lat, 0) < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole]);
  }
  return out;
}

/** The whole world at 1° precision, equirectangular (x = lon, y = −lat), for the inset. */
function world(): string {
  if (worldPath !== undefined) return worldPath;
  const parts: string[] = [];
  for (const ring of landRings()) {
    let d = "";
    let last = "";
    for (const [lon, lat] of ring) {
      const p = `${Math.round(lon)} ${Math.round(-lat)}`;
      if (p === last) continue;
      d += (d === "" ? "M" : "L") + p;
      last = p;
    }
    if (d.split("L").length > 2) parts.push(d + "Z");
  }
  worldPath = parts.join("");
  return worldPath;
}

export interface MapPoint {
  latitude: number;
  longitude: number;
  /** Text under the map, e.g. "69.12° N, 18.5° E · FAO 27.2.a". */
  caption: string;
}

/** The map of one catch position as an `<svg data-testid="map">` inside a figure with its caption. */
export function catchMap(point: MapPoint): TemplateResult {
  const lat0 = Math.max(-78, Math.min(78, point.latitude));
  const lon0 = point.longitude;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const halfW = HALF_LAT * 1.5; // projected degrees
  const halfLon = halfW / k;
  const px = (lon: number) => (lon - lon0) * k * U;
  const py = (lat: number) => -(lat - lat0) * U;

  const paths: string[] = [];
  const shifts = [-360, 0, 360];
  for (const ring of landRings()) {
    for (const shift of shifts) {
      let minLon = Infinity;
      let maxLon = -Infinity;
      let minLat = Infinity;
      let maxLat = -Infinity;
      for (const [lon, lat] of ring) {
        minLon = Math.min(minLon, lon + shift);
        maxLon = Math.max(maxLon, lon + shift);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
      if (maxLon < lon0 - halfLon - 1 || minLon > lon0 + halfLon + 1) continue;
      if (maxLat < lat0 - HALF_LAT - 1 || minLat > lat0 + HALF_LAT + 1) continue;
      paths.push(
        ring
          .map(([lon, lat], i) => `${i === 0 ? "M" : "L"}${px(lon + shift).toFixed(1)} ${py(lat).toFixed(1)}`)
          .join("") + "Z",
      );
    }
  }

  const grid: string[] = [];
  for (let lat = Math.ceil((lat0 - HALF_LAT) / 5) * 5; lat <= lat0 + HALF_LAT; lat += 5) {
    grid.push(`M${px(lon0 - halfLon).toFixed(1)} ${py(lat)}L${px(lon0 + halfLon).toFixed(1)} ${py(lat)}`);
  }
  for (let lon = Math.ceil((lon0 - halfLon) / 5) * 5; lon <= lon0 + halfLon; lon += 5) {
    grid.push(`M${px(lon).toFixed(1)} ${py(lat0 + HALF_LAT)}L${px(lon).toFixed(1)} ${py(lat0 - HALF_LAT)}`);
  }

  const w = halfW * 2 * U;
  const h = HALF_LAT * 2 * U;
  const y0 = py(point.latitude);
  // The inset: the world (360 × 180 units) scaled into the lower-left corner.
  const insetW = w * 0.28;
  const insetScale = insetW / 360;
  const insetH = 180 * insetScale;
  const ix = -w / 2 + 6;
  const iy = h / 2 - insetH - 6;
  const clip = `map-inset-${++maps}`;
  return html`<figure class="map-frame">
    <svg
      class="map"
      data-testid="map"
      viewBox="${-w / 2} ${-h / 2} ${w} ${h}"
      role="img"
      aria-label="Map of the catch position: ${point.caption}"
      preserveAspectRatio="xMidYMid meet"
    >
      <rect class="sea" x=${-w / 2} y=${-h / 2} width=${w} height=${h}></rect>
      <path class="graticule" d=${grid.join("")} vector-effect="non-scaling-stroke"></path>
      <path class="land" d=${paths.join("")} vector-effect="non-scaling-stroke"></path>
      ${svg`<g class="marker">
        <circle cx="0" cy=${y0} r="14" class="halo"></circle>
        <circle cx="0" cy=${y0} r="6"></circle>
      </g>`}
      ${svg`<g class="inset" transform=${`translate(${ix} ${iy})`}>
        <clipPath id=${clip}><rect width=${insetW} height=${insetH}></rect></clipPath>
        <rect width=${insetW} height=${insetH}></rect>
        <g clip-path=${`url(#${clip})`}>
          <path class="land" transform=${`scale(${insetScale}) translate(180 90)`} d=${world()}></path>
        </g>
        <circle cx=${(point.longitude + 180) * insetScale} cy=${(90 - point.latitude) * insetScale} r="3" class="dot"></circle>
      </g>`}
    </svg>
    <figcaption>${point.caption}</figcaption>
  </figure>`;
}
