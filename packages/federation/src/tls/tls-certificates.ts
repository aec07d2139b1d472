import { watch, type FSWatcher } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import { TLSSocket, type SecureContextOptions, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  readTlsFiles,
  TLS_FILE_SETTINGS,
  TLS_SETTING_NAMES,
  type DialTlsFiles,
  type ServerTlsFiles,
  type TlsFiles,
  type TlsSettings,
} from './tls-settings.ts';

/** Why a connection was refused: no TLS spoken, a failed handshake, or the client certificate. */
export type TlsRefusalReason =
  'plain-text' | 'handshake' | 'no-certificate' | 'expired' | 'revoked' | 'untrusted';

/** Which server refused: the HTTP API (tRPC and uplink) or the embedded broker's MQTTS port. */
export type TlsListener = 'api' | 'mqtts';

export interface TlsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TlsCertificatesOptions {
  settings: TlsSettings;
  /** Where the refusal counter and the expiry gauge are registered. */
  registry?: Registry;
  logger: TlsLogger;
  /** How long file events settle before the files are read (an editor or a renewal writes several). */
  debounceMs?: number;
}

/**
 * Which connections must present a valid client certificate (TLS_CLIENT_CERTS=require): every one
 * (a node: only parents and children reach its API), or only those it is asked about
 * (`admitsClient`: the BFF checks its uplink, so browsers reach the console without one).
 */
export type ClientCertificateCheck = 'every-connection' | 'when-asked';

const DEFAULT_DEBOUNCE_MS = 200;

/**
 * The tier's certificates, kept current: servers made with `serverOptions()` and handed to `serve`
 * get each reload through `setSecureContext` (new connections use it, open ones continue), and
 * `dial()` always returns the latest files for the next connection the tier opens. A reload that
 * finds a problem logs it, naming the setting, and keeps what was in force. Refused connections
 * are logged and counted (`tierscope_tls_refusals_total`).
 */
export class TlsCertificates {
  private files: TlsFiles;
  private readonly served = new Set<TlsServer>();
  private readonly refusals: Counter<'listener' | 'reason'>;
  private readonly notAfter: Gauge;
  private readonly watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;

  /** Reads the files; throws naming every problem (env.ts has checked them once already). */
  constructor(private readonly options: TlsCertificatesOptions) {
    const read = readTlsFiles(options.settings);
    if (!read.ok) throw new Error(describeProblems(read.problems));
    this.files = read.files;
    const registers = options.registry ? [options.registry] : [];
    this.refusals = new Counter({
      name: 'tierscope_tls_refusals_total',
      help: 'TLS connections refused: plain text, a failed handshake, or a client certificate missing, expired, revoked or from another CA',
      labelNames: ['listener', 'reason'],
      registers,
    });
    this.notAfter = new Gauge({
      name: 'tierscope_tls_certificate_not_after_seconds',
      help: 'When the certificate the tier serves with expires (Unix seconds)',
      registers,
      collect: () => {
        const leaf = this.files.server?.leaf;
        if (leaf) this.notAfter.set(Date.parse(leaf.validTo) / 1000);
      },
    });
  }

  /** Whether the tier's servers speak TLS (TLS_CERT_FILE and TLS_KEY_FILE are set). */
  get serving(): boolean {
    return this.files.server !== undefined;
  }

  get requiresClientCertificates(): boolean {
    return this.serving && this.options.settings.tlsClientCerts === 'require';
  }

  /**
   * Options for a TLS server of the tier. With client certificates required, a certificate is
   * asked for but node:tls does not refuse it itself: `serve` does, so that each refusal is
   * logged and counted with its reason.
   */
  serverOptions(): TlsOptions {
    const server = this.files.server;
    if (!server) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE are not set: the tier serves plain text');
    return { ...contextOf(server), requestCert: this.requiresClientCertificates, rejectUnauthorized: false };
  }

  /** The files for the next connection the tier dials (undefined: node's defaults). */
  dial(): DialTlsFiles | undefined {
    return this.files.dial;
  }

  /**
   * Keeps `server` on the current certificates and refuses, logs and counts what it must: a
   * failed handshake (plain text spoken to it, say) and, with `check` 'every-connection', a
   * connection without a valid client certificate. Returns a function that stops.
   */
  serve(server: TlsServer, listener: TlsListener, check: ClientCertificateCheck): () => void {
    this.served.add(server);
    const onClientError = (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      const reason = handshakeRefusal(error);
      this.refused(listener, reason, socket, error.code ?? error.message);
    };
    const onSecure = (socket: TLSSocket) => {
      if (check === 'when-asked' || !this.requiresClientCertificates) return;
      const reason = clientCertificateRefusal(socket);
      if (reason === undefined) return;
      this.refused(listener, reason, socket, String(socket.authorizationError));
      socket.destroy();
    };
    server.on('tlsClientError', onClientError);
    // Before the HTTP or MQTT handler sees the socket, so a refused client never gets a byte through.
    server.prependListener('secureConnection', onSecure);
    return () => {
      this.served.delete(server);
      server.off('tlsClientError', onClientError);
      server.off('secureConnection', onSecure);
    };
  }

  /**
   * For 'when-asked' servers: whether the connection `request` came on presents a valid client
   * certificate (always true unless TLS_CLIENT_CERTS=require); a refusal is logged and counted.
   */
  admitsClient(request: IncomingMessage, listener: TlsListener = 'api'): boolean {
    if (!this.requiresClientCertificates) return true;
    const socket = request.socket;
    if (!(socket instanceof TLSSocket)) {
      this.refused(listener, 'plain-text', socket, 'not a TLS connection');
      return false;
    }
    const reason = clientCertificateRefusal(socket);
    if (reason === undefined) return true;
    this.refused(listener, reason, socket, String(socket.authorizationError));
    return false;
  }

  /**
   * Reads the files again; when they pass every check, every served server takes them for its
   * next connections and `dial()` returns them. Returns whether they were taken.
   */
  reload(cause: string): boolean {
    const read = readTlsFiles(this.options.settings);
    if (!read.ok) {
      this.options.logger.error(
        { cause, problems: describeProblems(read.problems) },
        'TLS files not reloaded; the ones in force stay',
      );
      return false;
    }
    this.files = read.files;
    const server = read.files.server;
    if (server) for (const served of this.served) served.setSecureContext(contextOf(server));
    this.options.logger.info({ cause, ...describeLeaf(server) }, 'TLS files reloaded');
    return true;
  }

  /**
   * Reloads when a configured file changes. The directories are watched, not the files, so a
   * renewal that replaces a file (rename over it) is seen like one that rewrites it.
   */
  watch(): void {
    const { settings } = this.options;
    const files = TLS_FILE_SETTINGS.flatMap((setting) => {
      const path = settings[setting];
      return path === undefined ? [] : [resolve(path)];
    });
    const byDirectory = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byDirectory.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDirectory.set(dirname(file), names);
    }
    for (const [directory, names] of byDirectory) {
      const watcher = watch(directory, (_event, name) => {
        if (name !== null && names.has(name.toString())) this.reloadSoon();
      });
      watcher.on('error', (error) =>
        this.options.logger.warn(
          { err: error, directory },
          'TLS files: watching stopped; SIGHUP still reloads',
        ),
      );
      watcher.unref();
      this.watchers.push(watcher);
    }
  }

  /** Stops watching and stops keeping the servers current. */
  close(): void {
    clearTimeout(this.debounce);
    for (const watcher of this.watchers.splice(0)) watcher.close();
    this.served.clear();
  }

  /** What the tier serves with, for the start log line. */
  describe(): Record<string, unknown> {
    return { ...describeLeaf(this.files.server), clientCerts: this.options.settings.tlsClientCerts };
  }

  private reloadSoon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(
      () => this.reload('file changed'),
      this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    );
    this.debounce.unref();
  }

  private refused(
    listener: TlsListener,
    reason: TlsRefusalReason,
    socket: { remoteAddress?: string | undefined },
    detail: string,
  ): void {
    this.refusals.inc({ listener, reason });
    this.options.logger.warn(
      { listener, reason, detail, address: socket.remoteAddress },
      'TLS connection refused',
    );
  }
}

function contextOf(files: ServerTlsFiles): SecureContextOptions {
  return {
    cert: files.cert,
    key: files.key,
    ...(files.ca !== undefined && { ca: files.ca }),
    ...(files.crl !== undefined && { crl: files.crl }),
  };
}

/** Why a verified handshake still may not stand, from node:tls's verification of the client. */
function clientCertificateRefusal(socket: TLSSocket): TlsRefusalReason | undefined {
  if (socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  if (Object.keys(peer).length === 0) return 'no-certificate';
  // node:tls sets the OpenSSL verify code (a string, whatever its typing says).
  switch (String(socket.authorizationError)) {
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_REVOKED':
      return 'revoked';
    default:
      return 'untrusted';
  }
}

/** A client speaking plain HTTP or MQTT to a TLS port fails the handshake with these. */
const PLAIN_TEXT_CODES = /HTTP_REQUEST|WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/;

function handshakeRefusal(error: NodeJS.ErrnoException): TlsRefusalReason {
  if (PLAIN_TEXT_CODES.test(error.code ?? '') || PLAIN_TEXT_CODES.test(error.message)) return 'plain-text';
  if (/CERTIFICATE_REQUIRED|NO_CERTIFICATE/i.test(`${error.code ?? ''} ${error.message}`))
    return 'no-certificate';
  return 'handshake';
}

function describeLeaf(server: ServerTlsFiles | undefined): Record<string, unknown> {
  if (!server) return {};
  return {
    subject: server.leaf.subject.replaceAll('\n', ', '),
    notAfter: server.leaf.validTo,
    fingerprint256: server.leaf.fingerprint256,
  };
}

function describeProblems(problems: ReadonlyArray<{ setting: keyof TlsSettings; message: string }>): string {
  return problems.map((p) => `${TLS_SETTING_NAMES[p.setting]}: ${p.message}`).join('; ');
}
