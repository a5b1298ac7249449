/**
 * Who may post to the relay, as the registry says: QAT devices and sensor gateways are registered devices
 * (`IRegistry.Authorization.roles`). Answers are cached — a known device for a minute, an unknown one for a few
 * seconds, so a device registered a moment ago is let in almost at once — and concurrent lookups share one call.
 */
import type { Registry } from "../typechain-types/index.js";
import { roleBit, type RoleName } from "../src/roles.js";

export interface DeviceInfo {
  /** Registry participant id (what events name the device by). */
  id: number;
  roles: number;
  operatorId: number;
}

export class DeviceDirectory {
  private readonly cache = new Map<string, { info: DeviceInfo; until: number }>();
  private readonly inFlight = new Map<string, Promise<DeviceInfo>>();

  constructor(
    private readonly registry: Registry,
    private readonly knownMs = 60_000,
    private readonly unknownMs = 3_000,
  ) {}

  /** The registry's record of `address` (zero id when it is nobody). */
  async lookup(address: string): Promise<DeviceInfo> {
    const cached = this.cache.get(address);
    if (cached !== undefined && cached.until > Date.now()) return cached.info;
    const pending = this.inFlight.get(address);
    if (pending !== undefined) return pending;
    const call = this.registry
      .authorization(address)
      .then(({ id, roles, operatorId }) => {
        const info = { id: Number(id), roles: Number(roles), operatorId: Number(operatorId) };
        const known = info.roles !== 0;
        this.cache.set(address, { info, until: Date.now() + (known ? this.knownMs : this.unknownMs) });
        return info;
      })
      .finally(() => this.inFlight.delete(address));
    this.inFlight.set(address, call);
    return call;
  }

  /** Whether `address` holds `role` now (cached). */
  async has(address: string, role: RoleName): Promise<boolean> {
    return ((await this.lookup(address)).roles & roleBit(role)) !== 0;
  }
}
