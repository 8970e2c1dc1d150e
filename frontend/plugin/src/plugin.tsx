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

const mcpActionsPage = PageBlueprint.make({
  params: {
    path: '/mcp-actions',
    title: 'MCP Actions',
    routeRef: rootRouteRef,
    loader: () => import('./components/McpActionsPage').then(m => <m.McpActionsPage />),
  },
});

/** The plugin: its page at `/mcp-actions` and the API client it reads. */
export const mcpActionsPlugin = createFrontendPlugin({
  pluginId: 'mcp-actions',
  title: 'MCP Actions',
  icon: <McpActionsIcon />,
  routes: { root: rootRouteRef },
  extensions: [mcpActionsApi, mcpActionsPage],
});
