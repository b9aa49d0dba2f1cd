import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The named export: under NodeNext the default import of this CommonJS package is not constructable.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EVENTS_PATH } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';
import { SUBCOMMANDS } from '../../src/slack/command.js';
import { COMMAND, SCHEDULE_SHORTCUT } from '../../src/slack/ids.js';
import { eventRoutes } from '../../src/slack/listeners/events/index.js';

/**
 * manifest.yml (HTTP) and manifest.socket.yml (Socket Mode) are what a person pastes into
 * api.slack.com/apps. Slack rejects a manifest that breaks its schema with an error far from the
 * cause, so both are checked here the same way: against Slack's own published JSON Schema
 * (format 1, draft-07) and against the constraints the docs state, some of which the schema
 * cannot express (the colour regex, URL shapes, agreement with the code). They must also agree
 * with each other on everything but Socket Mode and the request URLs.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  _metadata?: unknown;
  display_information: { name: string; description?: string; long_description?: string; background_color?: string };
  features: {
    app_home: Record<string, boolean>;
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: { command: string; url?: string; description: string; usage_hint?: string; should_escape?: boolean }[];
    shortcuts: { name: string; type: string; callback_id: string; description: string }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[]; user_events?: string[] };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

interface ManifestFile {
  file: string;
  text: string;
  manifest: Manifest;
  socketMode: boolean;
}

function load(file: string, socketMode: boolean): ManifestFile {
  const text = readFileSync(join(root, file), 'utf8');
  return { file, text, manifest: parse(text) as Manifest, socketMode };
}

const httpManifest = load('manifest.yml', false);
const socketManifest = load('manifest.socket.yml', true);

/** Slack's published schema (slackapi/manifest-schema, MIT), vendored so a clean clone can run this. */
function loadSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'test/fixtures/slack/manifest-schema/manifest.schema.1.0.0.json'), 'utf8')) as Record<string, unknown>;
}

function compileValidator() {
  // strict: false because Slack's schema uses keywords ajv does not know (regex, requires).
  // The one format it uses is "uri" (for $schema); checking it with URL.canParse avoids a dependency.
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: (value: string) => URL.canParse(value) } });
  return ajv.compile(loadSchema());
}

/** The Slack events the app routes to a listener (src/slack/listeners/events/index.ts). */
function registeredEvents(): Set<string> {
  // The listener factories only close over deps; nothing is called while building the table.
  return new Set(eventRoutes({} as AppDeps).map((route) => String(route.id)));
}

describe.each([httpManifest, socketManifest])('$file', ({ text, manifest, socketMode }) => {
  describe('against Slack\'s manifest schema', () => {
    const validate = compileValidator();

    it('is manifest format 1 (no _metadata) and valid against manifest.schema.1.0.0.json', () => {
      expect(manifest._metadata).toBeUndefined();
      const valid = validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('the validator does catch a broken manifest (so the check above can fail)', () => {
      const broken = structuredClone(manifest);
      broken.features.slash_commands[0]!.command = `/${'x'.repeat(40)}`;
      (broken.display_information as Record<string, unknown>).unknown_key = true;
      expect(validate(broken)).toBe(false);
      const paths = (validate.errors ?? []).map((e) => e.instancePath);
      expect(paths).toContain('/features/slash_commands/0/command');
      expect(paths).toContain('/display_information');
    });
  });

  describe('against the documented constraints', () => {
    it('has the required sections and fields', () => {
      expect(manifest.display_information.name).toBe('Peerloop');
      expect(manifest.features.bot_user.display_name).toBe('Peerloop');
      expect(manifest.features.bot_user.always_online).toBe(true);
      expect(manifest.features.app_home).toEqual({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true });
      expect(manifest.settings.interactivity.is_enabled).toBe(true);
      expect(manifest.settings.org_deploy_enabled).toBe(false);
      expect(manifest.settings.socket_mode_enabled).toBe(socketMode);
      expect(manifest.settings.token_rotation_enabled).toBe(false);
    });

    it('keeps display information within Slack\'s lengths and colour format', () => {
      const info = manifest.display_information;
      expect(info.name.length).toBeGreaterThanOrEqual(1);
      expect(info.name.length).toBeLessThanOrEqual(35);
      expect(info.description!.length).toBeGreaterThanOrEqual(1);
      expect(info.description!.length).toBeLessThanOrEqual(140);
      // The long description has a minimum too: Slack refuses one under 175 characters.
      expect(info.long_description!.length).toBeGreaterThanOrEqual(175);
      expect(info.long_description!.length).toBeLessThanOrEqual(4000);
      // The schema states this as a non-standard `regex` keyword that validators skip.
      expect(info.background_color).toMatch(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/);
      expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    });

    it('declares exactly /peer, lower-case, within the command limits, matching COMMAND', () => {
      expect(manifest.features.slash_commands).toHaveLength(1);
      const cmd = manifest.features.slash_commands[0]!;
      expect(cmd.command).toBe(COMMAND);
      expect(cmd.command.startsWith('/')).toBe(true);
      expect(cmd.command).toBe(cmd.command.toLowerCase());
      expect(cmd.command).toMatch(/^\/[a-z0-9_-]+$/);
      expect(cmd.command.length).toBeLessThanOrEqual(32);
      expect(cmd.description.length).toBeGreaterThanOrEqual(1);
      expect(cmd.description.length).toBeLessThanOrEqual(2000);
      expect(cmd.usage_hint!.length).toBeGreaterThanOrEqual(1);
      expect(cmd.usage_hint!.length).toBeLessThanOrEqual(1000);
      // The hint Slack shows while typing names every subcommand `/peer help` lists.
      const hinted = cmd.usage_hint!.split('|').map((part) => part.trim().split(/\s+/)[0]);
      expect(hinted.sort()).toEqual(Object.keys(SUBCOMMANDS).sort());
    });

    it('declares the global shortcut whose callback_id equals SCHEDULE_SHORTCUT', () => {
      expect(manifest.features.shortcuts).toHaveLength(1);
      const shortcut = manifest.features.shortcuts[0]!;
      expect(shortcut).toMatchObject({ name: 'Schedule a peer session', type: 'global', callback_id: SCHEDULE_SHORTCUT });
      expect(shortcut.name.length).toBeLessThanOrEqual(24);
      expect(shortcut.callback_id.length).toBeLessThanOrEqual(255);
      expect(shortcut.description.length).toBeGreaterThanOrEqual(1);
      expect(shortcut.description.length).toBeLessThanOrEqual(150);
    });

    it.runIf(!socketMode)('points every request URL at https://<host>/slack/events, the path the app serves', () => {
      const urls = [
        manifest.features.slash_commands[0]!.url,
        manifest.settings.interactivity.request_url,
        // The type-ahead selects (external_select) load their options from here in HTTP mode.
        manifest.settings.interactivity.message_menu_options_url,
        manifest.settings.event_subscriptions.request_url,
      ];
      for (const raw of urls) {
        expect(raw).toBeDefined();
        const url = new URL(raw!);
        expect(url.protocol).toBe('https:');
        expect(url.pathname).toBe(EVENTS_PATH);
        expect(url.pathname).toBe('/slack/events');
        expect(url.search).toBe('');
      }
      // One placeholder host everywhere, so a single find-and-replace is enough.
      expect(new Set(urls.map((u) => new URL(u!).host))).toEqual(new Set(['your-host']));
    });

    it.runIf(socketMode)('has no request URL at all: Slack sends everything over the socket', () => {
      expect(manifest.features.slash_commands[0]!.url).toBeUndefined();
      expect(manifest.settings.interactivity.request_url).toBeUndefined();
      expect(manifest.settings.interactivity.message_menu_options_url).toBeUndefined();
      expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
      expect(text).not.toContain('YOUR-HOST');
      expect(text).not.toMatch(/^\s*(url|request_url|message_menu_options_url):/m);
    });

    it('asks for exactly the minimal bot scopes and no user scopes, each with a reason', () => {
      expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['channels:history', 'channels:read', 'chat:write', 'commands', 'files:write', 'groups:history', 'groups:read', 'im:history', 'im:write', 'mpim:history', 'mpim:write', 'users:read']);
      expect(manifest.oauth_config.scopes.user).toBeUndefined();
      for (const scope of manifest.oauth_config.scopes.bot) {
        // A YAML comment on the scope's own line says why it is needed.
        expect(text).toMatch(new RegExp(`^\\s*- ${scope} # \\S`, 'm'));
      }
    });

    it('subscribes exactly to the events the app listens to', () => {
      const events = manifest.settings.event_subscriptions.bot_events;
      expect([...events].sort()).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
      expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
      const registered = registeredEvents();
      // Slack would deliver an event nobody handles, or a listener would wait for one never sent.
      expect([...registered].sort()).toEqual([...events].sort());
    });
  });
});

describe('manifest.yml and manifest.socket.yml', () => {
  /** A manifest without what is meant to differ: Socket Mode and the request URLs. */
  function withoutTransport(manifest: Manifest): Manifest {
    const copy = structuredClone(manifest);
    for (const command of copy.features.slash_commands) delete command.url;
    delete copy.settings.interactivity.request_url;
    delete copy.settings.interactivity.message_menu_options_url;
    delete copy.settings.event_subscriptions.request_url;
    (copy.settings as Partial<Manifest['settings']>).socket_mode_enabled = undefined;
    return copy;
  }

  it('agree on everything except socket_mode_enabled and the request URLs (options load URL included)', () => {
    expect(httpManifest.manifest.settings.socket_mode_enabled).toBe(false);
    expect(socketManifest.manifest.settings.socket_mode_enabled).toBe(true);
    expect(withoutTransport(socketManifest.manifest)).toEqual(withoutTransport(httpManifest.manifest));
  });

  it('the comparison does catch a difference (so the check above can fail)', () => {
    const drifted = structuredClone(socketManifest.manifest);
    drifted.oauth_config.scopes.bot.push('chat:write.public');
    expect(withoutTransport(drifted)).not.toEqual(withoutTransport(httpManifest.manifest));
  });
});
