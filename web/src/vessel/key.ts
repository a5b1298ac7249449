/**
 * The app's key: made on the phone (or any browser), kept only encrypted under the user's passphrase (an ethers JSON
 * keystore, scrypt), and registered once in the registry as the actor's account. The vessel page signs catches with
 * it offline; the actor views sign sponsored calls with it (web/src/actor/sponsored-session.ts). Unlocked keys live
 * in memory for the page's life only.
 */
import { Wallet, decryptKeystoreJson, encryptKeystoreJson } from "ethers";

import { readKey, writeKey, type StoredKey } from "./store.js";

/** scrypt's cost: about a second on a phone; the keystore's own default (2^17) takes ten. */
const SCRYPT_N = 1 << 14;
const MIN_PASSPHRASE = 8;

/** Makes and stores a new key under `passphrase`; refuses to replace one that exists. */
export async function createKey(passphrase: string, repeated: string): Promise<StoredKey> {
  if (passphrase.length < MIN_PASSPHRASE)
    throw new Error(`the passphrase must be at least ${MIN_PASSPHRASE} characters`);
  if (passphrase !== repeated) throw new Error("the two passphrases differ");
  if ((await readKey()) !== undefined) throw new Error("this browser already has an app key");
  const wallet = Wallet.createRandom();
  const keystore = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, passphrase, {
    scrypt: { N: SCRYPT_N },
  });
  const key: StoredKey = { address: wallet.address, keystore, createdAt: Date.now() };
  await writeKey(key);
  return key;
}

/** The stored key, decrypted with `passphrase`; one line when the passphrase is wrong. */
export async function unlockKey(key: StoredKey, passphrase: string): Promise<Wallet> {
  try {
    const account = await decryptKeystoreJson(key.keystore, passphrase);
    return new Wallet(account.privateKey);
  } catch {
    throw new Error("wrong passphrase");
  }
}
