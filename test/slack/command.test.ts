import { describe, expect, it } from 'vitest';
import { parsePeerCommand, SUBCOMMANDS } from '../../src/slack/command.js';
import { buildHelpMessage } from '../../src/slack/blocks/help.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';

describe('parsePeerCommand', () => {
  it('reads empty text as help', () => {
    expect(parsePeerCommand('')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parsePeerCommand('   \n ')).toEqual({ ok: true, command: { name: 'help' } });
  });

  it('is case-insensitive on the subcommand and tolerates extra spaces', () => {
    expect(parsePeerCommand('  HELP  ')).toEqual({ ok: true, command: { name: 'help' } });
  });

  it('reports an unknown word as typed', () => {
    expect(parsePeerCommand('Foo bar baz')).toEqual({ ok: false, reason: 'unknown', word: 'Foo' });
  });

  it('does not treat object prototype names as subcommands', () => {
    expect(parsePeerCommand('constructor')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(parsePeerCommand('__proto__')).toMatchObject({ ok: false, reason: 'unknown' });
  });
});

describe('help lists exactly the registered subcommands', () => {
  it('has one line per subcommand with its summary', () => {
    const help = buildHelpMessage();
    for (const spec of Object.values(SUBCOMMANDS)) {
      // Usages like `/peer join <id>` are shown escaped (Slack renders &lt; as <).
      expect(help.text).toContain(escapeMrkdwn(spec.usage));
      expect(help.text).toContain(spec.summary);
    }
  });
});
