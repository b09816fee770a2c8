/** Puts the HTTP server on its port; a port held by an earlier hub of ours is named as such. Returns the URL. */
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from '../config/config.loader.ts';
import { HubError } from '../errors.ts';
import { portHeldMessage } from '../util/instance-file.ts';

/** The URL says `https` when the hub serves TLS itself (config.http.tls). */
export async function listenHttp(http: FastifyInstance, config: Pick<HubConfig, 'http' | 'dataDir'>): Promise<string> {
  try {
    await http.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const held = await portHeldMessage('HTTP_PORT', config.http.host, config.http.port, config.dataDir);
      throw new HubError('PORT_IN_USE', held ?? `HTTP_PORT: ${config.http.host}:${config.http.port} is already in use; set HTTP_PORT to a free port`);
    }
    throw error;
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return `${config.http.tls ? 'https' : 'http'}://${config.http.host}:${port}`;
}
