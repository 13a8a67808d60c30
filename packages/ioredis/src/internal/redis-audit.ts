import { readIoredisConfig } from '../read-config.js';
import { ioredisLintRules, ioredisOptionSchema } from '../lint-rules.js';
import { AuditBase, settingsFacts } from './audit-base.js';
import type { AuditSetup } from './audit-base.js';
import { ClientWatch } from './client-watch.js';
import type { RedisInternals } from './shapes.js';

/** The audit of one standalone (or sentinel) `Redis`: one watch, one registration. */
export class RedisAudit extends AuditBase {
  private readonly watch: ClientWatch;

  constructor(
    private readonly client: RedisInternals,
    setup: AuditSetup,
  ) {
    const { config, settings } = readIoredisConfig(client.options, 'redis');
    super(setup, {
      config,
      settings,
      rawConfig: client.options,
      lintRules: ioredisLintRules,
      // ioredis keeps every option it is given beside its defaults: a typo is still there to be seen.
      optionCheck: { options: client.options, schema: ioredisOptionSchema },
      probeServer: () => settingsFacts([client]),
    });
    this.watch = new ClientWatch(client, 'client', this);
    this.watch.attach();
  }

  pending(): number {
    return this.client.offlineQueue.length;
  }

  shuttingDown(): boolean {
    return true;
  }

  protected unhook(): void {
    this.watch.detach();
  }

  /** The client ended: its record may retire once idle. */
  ended(): void {
    this.probe.ended();
  }
}
