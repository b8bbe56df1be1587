/** The plugin API compatibility rule: same major, plugin minor <= core's minor. */
import { API_VERSION } from '@medrl/sdk';

export function parseApiVersion(version: string): { major: number; minor: number } | null {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : null;
}

/** Null when compatible; otherwise the reason, naming what this core supports. */
export function apiVersionProblem(pluginVersion: unknown, coreVersion: string = API_VERSION): string | null {
  const core = parseApiVersion(coreVersion)!;
  const supported = `this medrl supports plugin API ${core.major}.0 to ${core.major}.${core.minor}`;
  if (typeof pluginVersion !== 'string') {
    return `missing apiVersion (a "major.minor" string such as "${coreVersion}"); ${supported}`;
  }
  const wanted = parseApiVersion(pluginVersion);
  if (!wanted) return `apiVersion "${pluginVersion}" is not "major.minor"; ${supported}`;
  if (wanted.major !== core.major || wanted.minor > core.minor) {
    return `targets plugin API ${pluginVersion}, but ${supported}; upgrade or downgrade one of them`;
  }
  return null;
}
