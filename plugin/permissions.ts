import type { PermissionsRegistryService } from '@backstage/backend-plugin-api';

type BasicPermission = Extract<
  Parameters<PermissionsRegistryService['addPermissions']>[0][number],
  { type: 'basic' }
>;

/**
 * `mcp-actions.usage.read`: see everyone's usage on the page (the Usage tab's "everyone" and
 * `GET /api/mcp-actions/ui/v1/usage?scope=all`). Registered with the permissions registry, so
 * adopters' permission policies decide who holds it; everyone sees their own usage without it.
 *
 * @public
 */
export const usageReadPermission: BasicPermission = {
  type: 'basic',
  name: 'mcp-actions.usage.read',
  attributes: { action: 'read' },
};
