/**
 * `medrl trian`: "did you mean train?". In a terminal this is @oclif/plugin-not-found's hook, which
 * asks and runs the suggestion on yes. That hook prints no suggestion when stdin is not a terminal
 * (scripts, CI, agents), so there the suggestion is printed here instead, with the same exit code.
 */
import { toConfiguredId, type Hook } from '@oclif/core';
import { closestMatch } from './suggest.js';

const hook: Hook.CommandNotFound = async function (opts) {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const { default: notFound } = await import('@oclif/plugin-not-found');
    return notFound.call(this, opts);
  }
  const hidden = new Set(opts.config.commands.filter((c) => c.hidden).map((c) => c.id));
  const ids = [...opts.config.commandIDs, ...opts.config.commands.flatMap((c) => c.aliases)].filter(
    (id) => !hidden.has(id),
  );
  const { bin } = opts.config;
  const typed = toConfiguredId(opts.id, opts.config);
  const suggestion = closestMatch(opts.id, ids);
  const hint = suggestion ? ` Did you mean \`${bin} ${toConfiguredId(suggestion, opts.config)}\`?` : '';
  process.stderr.write(`error: \`${typed}\` is not a ${bin} command.${hint}\nRun \`${bin} help\` for the list.\n`);
  this.exit(127);
};

export default hook;
