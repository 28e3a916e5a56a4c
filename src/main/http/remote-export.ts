/**
 * `GET /admin/audit/export` for a caller that manages a remote deployment: the same request (format and
 * filters) goes to the remote with the profile's key and its answer is relayed as it streams — status, type
 * and file name, and a cut connection if the remote's body stops short (so a partial download never looks
 * whole). Callers managing this computer get the local export unchanged.
 */
import { WardenError } from '../../shared/errors';
import type { DeploymentManager } from '../deployments/index';
import { remoteRequest } from '../deployments/remote-transport';
import type { AdminAuth } from './admin-auth';
import { wrapAdminEndpoint } from './admin-endpoints';
import type { Endpoint, ServiceContext } from './context';
import { AUDIT_EXPORT_PATH } from './audit-export';

const RELAYED_HEADERS = ['content-type', 'content-disposition', 'cache-control', 'x-content-type-options', 'www-authenticate', 'retry-after'];

export function remoteAwareExport(ctx: ServiceContext, auth: AdminAuth, deployments: DeploymentManager, local: Endpoint): Endpoint {
  return wrapAdminEndpoint(ctx, `GET ${AUDIT_EXPORT_PATH} (remote)`, async (req, res, url) => {
    auth.checkPlace(req);
    const { who } = await auth.authenticate(req);
    const target = deployments.target(who);
    if (!target) {
      await local(req, res, url);
      return;
    }
    const profile = await deployments.options.profiles.get(target.profileId);
    const apiKey = await deployments.storedKey(target.profileId);
    if (!profile || apiKey === undefined) throw new WardenError('conflict', 'The deployment this console manages has no stored key any more: switch again.');
    const answer = await remoteRequest(profile, { method: 'GET', path: `${AUDIT_EXPORT_PATH}${url.search}`, headers: { Authorization: `Bearer ${apiKey}` } });
    const headers: Record<string, string> = {};
    for (const name of RELAYED_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.on('aborted', () => res.destroy());
    answer.on('error', () => res.destroy());
    res.on('close', () => answer.destroy());
    answer.pipe(res);
  });
}
