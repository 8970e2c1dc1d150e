import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { McpActionsClient, mcpActionsApiRef } from './api/McpActionsClient';
import { McpActionsIcon } from './icon';

export const rootRouteRef = createRouteRef();

const mcpActionsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mcpActionsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new McpActionsClient(deps),
    }),
});

/** Rendered for every path under `/mcp-actions`; McpActionsPage routes within it (secrets page). */
const mcpActionsPage = PageBlueprint.make({
  params: {
    path: '/mcp-actions',
    title: 'MCP Actions',
    routeRef: rootRouteRef,
    loader: () => import('./components/McpActionsPage').then(m => <m.McpActionsPage />),
  },
});

/** The plugin: its page at `/mcp-actions` (and `/mcp-actions/secrets/:id`) and its API client. */
export const mcpActionsPlugin = createFrontendPlugin({
  pluginId: 'mcp-actions',
  title: 'MCP Actions',
  icon: <McpActionsIcon />,
  routes: { root: rootRouteRef },
  extensions: [mcpActionsApi, mcpActionsPage],
});
