/**
 * API keys in VS Code's SecretStorage, one per endpoint origin; the environment variable a setting
 * names is the fallback. Keys never go to settings, run files, exports or the log.
 */
import type * as vscode from 'vscode';
import { endpointUrls, type RunConfig } from '../core/config.js';
import { environmentKeys, type KeyRequest, type KeyResolver } from '../llm/judges.js';

export function endpointOrigin(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

const secretName = (baseUrl: string) => `steplens.apiKey:${endpointOrigin(baseUrl)}`;

export class KeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(baseUrl: string): Thenable<string | undefined> {
    return this.secrets.get(secretName(baseUrl));
  }

  set(baseUrl: string, key: string): Thenable<void> {
    return this.secrets.store(secretName(baseUrl), key);
  }

  delete(baseUrl: string): Thenable<void> {
    return this.secrets.delete(secretName(baseUrl));
  }

  /** Reads every key the config could need up front, so the pipeline's resolver is synchronous. */
  async resolverFor(config: RunConfig): Promise<KeyResolver> {
    // Every replica's URL: replicas on different hosts may each have a key of their own.
    const endpoints: KeyRequest[] = [config.policy, ...config.prms].flatMap((endpoint) =>
      endpointUrls(endpoint).map((baseUrl) => ({ baseUrl })),
    );
    const stored = new Map<string, string>();
    for (const endpoint of endpoints) {
      const key = await this.get(endpoint.baseUrl);
      if (key) stored.set(endpointOrigin(endpoint.baseUrl), key);
    }
    return (request) => stored.get(endpointOrigin(request.baseUrl)) ?? environmentKeys(request);
  }
}
