/**
 * The look-up home: scan the pack's QR code with the camera, upload a photo of it, or type what is printed under it.
 * Whatever arrives is checked with the shared `lotRef` before the app navigates to the lot's journey.
 */
import { html, render } from "lit-html";
import { ref } from "lit-html/directives/ref.js";

import { elementOf } from "../dom.js";
import { oneLine } from "../one-line.js";
import { navigate } from "../router.js";
import type { CameraScan } from "../scan/index.js";
import { createStore } from "../store.js";

interface HomeState {
  text: string;
  error: string;
  /** A calm notice about the camera (no camera, permission refused). */
  notice: string;
  camera: "off" | "starting" | "on";
  busy: boolean;
}

/** Renders the look-up home into `host`; the returned function stops the camera and drops pending work. */
export function mountHome(host: HTMLElement): () => void {
  let scan: CameraScan | undefined;
  let video: HTMLVideoElement | undefined;
  let alive = true;
  const store = createStore<HomeState>({ text: "", error: "", notice: "", camera: "off", busy: false }, () => draw());

  // The check uses the shared `lotRef` (ethers' keccak and ABI coder): a lazy chunk, fetched as the page settles.
  const lookup = () => import("./lookup.js");
  const warm = setTimeout(() => void lookup().catch(() => undefined), 400);

  const go = async (text: string, source: "typed" | "scanned") => {
    try {
      const { lookupPath } = await lookup();
      if (!alive) return;
      navigate(lookupPath(text));
    } catch (err) {
      if (!alive) return;
      const why = oneLine(err);
      store.update({
        error: source === "scanned" ? `That QR code is not a FishTrace lot: ${why}` : why,
        text: source === "scanned" ? text : store.state.text,
      });
    }
  };

  /** Bumped whenever the camera is stopped: a start still under way then stops what it started. */
  let cameraRuns = 0;
  const stopCamera = () => {
    cameraRuns++;
    scan?.stop();
    scan = undefined;
  };

  const startCamera = async () => {
    if (store.state.camera !== "off") {
      stopCamera();
      store.update({ camera: "off" });
      return;
    }
    const run = ++cameraRuns;
    store.update({ camera: "starting", notice: "", error: "" });
    try {
      const { startCameraScan } = await import("../scan/index.js");
      if (!alive || video === undefined) return;
      const started = await startCameraScan(video, (text) => {
        scan = undefined;
        if (!alive) return;
        store.update({ camera: "off" });
        void go(text, "scanned");
      });
      if (!alive || run !== cameraRuns || store.state.camera === "off") {
        started.stop();
        return;
      }
      scan = started;
      store.update({ camera: "on" });
    } catch (err) {
      if (alive && run === cameraRuns) store.update({ camera: "off", notice: oneLine(err) });
    }
  };

  const upload = async (event: Event) => {
    const input = elementOf(event.target, HTMLInputElement, "the photo upload field");
    const file = input.files?.[0];
    input.value = "";
    if (file === undefined) return;
    stopCamera();
    store.update({ busy: true, error: "", notice: "", camera: "off" });
    try {
      const { decodePhoto } = await import("../scan/index.js");
      const text = await decodePhoto(file);
      if (!alive) return;
      store.update({ busy: false });
      if (text === undefined) {
        store.update({ error: "No QR code was found in that photo; try a closer, sharper photo or type the code." });
      } else await go(text, "scanned");
    } catch (err) {
      if (alive) store.update({ busy: false, error: oneLine(err) });
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void go(store.state.text, "typed");
  };

  const draw = () => {
    const s = store.state;
    render(
      html`<section class="page home">
        <h1>Where does your fish come from?</h1>
        <p class="lead">
          Scan the QR code on the pack, upload a photo of it, or type the code printed under it. You will see where the
          fish was caught, who handled it and how cold it was kept.
        </p>
        <div class="lookup-actions">
          <button
            type="button"
            class="button primary"
            data-testid="scan-camera"
            aria-pressed=${s.camera !== "off" ? "true" : "false"}
            @click=${startCamera}
          >
            ${s.camera === "off" ? "Scan with camera" : "Stop camera"}
          </button>
          <label class="button secondary upload">
            <span>${s.busy ? "Reading the photo…" : "Upload a photo of the code"}</span>
            <input
              class="visually-hidden"
              type="file"
              accept="image/*"
              data-testid="upload-input"
              ?disabled=${s.busy}
              @change=${upload}
            />
          </label>
        </div>
        <div class="camera ${s.camera === "off" ? "hidden" : ""}">
          <video
            ${ref((el) => {
              video = el instanceof HTMLVideoElement ? el : undefined;
            })}
            muted
            playsinline
            aria-label="Camera view: hold the QR code inside the frame"
          ></video>
          <p class="hint" role="status">
            ${s.camera === "starting" ? "Starting the camera…" : "Hold the QR code steady inside the frame."}
          </p>
        </div>
        ${s.notice === "" ? "" : html`<p class="notice" role="status" data-testid="scan-message">${s.notice}</p>`}
        <form class="lookup-form" @submit=${submit} novalidate>
          <label for="lookup-input">Code under the QR code</label>
          <div class="input-row">
            <input
              id="lookup-input"
              name="lot"
              type="text"
              inputmode="url"
              autocomplete="off"
              autocapitalize="off"
              spellcheck="false"
              placeholder="https://…/01/…/10/… or GTIN:LOT"
              data-testid="lookup-input"
              aria-describedby="lookup-help"
              aria-invalid=${s.error === "" ? "false" : "true"}
              .value=${s.text}
              @input=${(e: Event) =>
                store.update({ text: elementOf(e.target, HTMLInputElement, "the look-up field").value, error: "" })}
            />
            <button type="submit" class="button primary" data-testid="lookup-submit">Look up</button>
          </div>
          <p id="lookup-help" class="hint">
            A GS1 Digital Link, <code>GTIN:LOT</code> (e.g. <code>07038010123450:L2026-001</code>), the element string
            <code>(01)…(10)…</code>, or a lot id.
          </p>
          ${s.error === "" ? "" : html`<p class="error" role="alert" data-testid="lookup-error">${s.error}</p>`}
        </form>
      </section>`,
      host,
    );
  };

  draw();
  return () => {
    alive = false;
    clearTimeout(warm);
    stopCamera();
  };
}
