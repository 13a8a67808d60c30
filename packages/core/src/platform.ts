import type { PortRange } from './types.js';

/**
 * How long a socket that closed first stays in TIME_WAIT, by platform: Linux fixes it at 60 s
 * (`TCP_TIMEWAIT_LEN`, no sysctl changes it); macOS 30 s (MSL 15 s); Windows 240 s (`TcpTimedWaitDelay`).
 */
export function platformTimeWaitSeconds(platform: NodeJS.Platform = process.platform): number {
  if (platform === 'darwin') return 30;
  if (platform === 'win32') return 240;
  return 60;
}

/** The documented default ephemeral port range: Linux 32768–60999, macOS and Windows 49152–65535 (IANA). */
export function defaultPortRange(platform: NodeJS.Platform = process.platform): PortRange {
  if (platform === 'darwin' || platform === 'win32') return { low: 49152, high: 65535 };
  return { low: 32768, high: 60999 };
}
