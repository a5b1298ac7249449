/** The vessel page (`/vessel`), a lazy chunk: catches registered and signed at sea, sent when the network returns. */
export { mountVessel } from "./view.js";
