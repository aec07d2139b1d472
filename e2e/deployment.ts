// What the global setup started, handed to the test workers through the environment.
import type { ApiSession } from './api-client.ts';

export interface E2eNode {
  id: string;
  path: string;
  pid: number;
  /** The node's embedded MQTT broker, where its devices publish. */
  mqttUrl: string;
}

export interface E2eDeployment {
  bffUrl: string;
  nodes: E2eNode[];
  /** Devices the simulators register in all; the fleet's total once every one has been heard. */
  expectedDevices: number;
  /** The first admin, made by the BFF from the password the global setup gave it. */
  admin: { name: string; password: string };
  /**
   * The admin's session that every test shares (browser cookie and API client). A test that ends a
   * session must log in on its own: ending this one would log every later test out.
   */
  adminSession: ApiSession;
  /** The probe whose alerts of `ruleId` go to a webhook on 127.0.0.1:`port`, where nothing listens until a test does. */
  probeWebhook: { probeId: string; port: number; ruleId: string };
}

const ENV_KEY = 'TIERSCOPE_E2E_DEPLOYMENT';

export function publishDeployment(deployment: E2eDeployment): void {
  process.env[ENV_KEY] = JSON.stringify(deployment);
}

export function readDeployment(): E2eDeployment {
  const text = process.env[ENV_KEY];
  if (!text)
    throw new Error(`${ENV_KEY} is not set: run the tests through playwright.config.ts (global setup)`);
  return JSON.parse(text) as E2eDeployment;
}
