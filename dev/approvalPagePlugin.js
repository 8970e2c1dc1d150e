// The demo's stand-in for Backstage's consent page. An MCP client that logs in by itself is
// sent by the auth backend to `${app.baseUrl}/oauth2/authorize/{session}`, a page of
// Backstage's frontend, which the demo does not have. This serves a minimal page there (the
// demo's app.baseUrl is the backend itself): it names the client and approves or rejects the
// authorization session as the guest user, with the same calls the real consent page makes.
'use strict';

const { resolve } = require('node:path');
const express = require('express');
const { coreServices, createBackendPlugin } = require('@backstage/backend-plugin-api');

exports.approvalPagePlugin = createBackendPlugin({
  pluginId: 'demo-approval',
  register(env) {
    env.registerInit({
      deps: { rootHttpRouter: coreServices.rootHttpRouter },
      async init({ rootHttpRouter }) {
        const router = express.Router();
        // The script is a file of its own: Backstage's content security policy allows no
        // inline script.
        router.get('/approve.js', (_req, res) => res.sendFile(resolve(__dirname, 'approval/approve.js')));
        router.get('/authorize/:sessionId', (_req, res) =>
          res.sendFile(resolve(__dirname, 'approval/index.html')),
        );
        rootHttpRouter.use('/oauth2', router);
      },
    });
  },
});
