// `node --import @poolaudit/register`: the CommonJS hook (for `require()`) plus import-in-the-middle's loader
// for `import`, limited to the hooked libraries so that no other module goes through it.
import * as nodeModule from 'node:module';
import { Hook } from 'import-in-the-middle';

const require = nodeModule.createRequire(import.meta.url);
const { startOnce } = require('./start.js') as typeof import('./start.js');

const registration = startOnce();
if (registration !== undefined) {
  const modules = registration.moduleHooks.modules;
  try {
    if (modules.length > 0 && typeof nodeModule.register === 'function') {
      nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: modules } });
      new Hook(modules, (exported, name, baseDir, format) => {
        registration.moduleHooks.onImport(exported, name, baseDir ?? undefined, format);
      });
    }
  } catch (err) {
    process.stderr.write(
      `poolaudit: the import hook could not start (${String(err)}); only require() is hooked\n`,
    );
  }
}
