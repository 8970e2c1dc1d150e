// @ts-check
// Usage of the tools (mcpActions.usage): one row per minute, server, tool, principal, client
// and outcome, with counts, durations and result sizes. Names and numbers only: never
// arguments, results or secrets. Every replica adds its batches (plugin/tasks/store.ts, op
// addUsage); the page's Usage tab reads them; the sweep deletes rows past the retention.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_actions_usage', table => {
    table.comment('MCP tool calls per minute and key: names and numbers');
    table.string('id', 64).primary().comment('SHA-256 of the key parts');
    table.bigInteger('minute_ms').notNullable().index();
    table.string('server', 255).notNullable().comment('"" for the default server');
    table.string('tool', 255).notNullable();
    table.string('principal', 255).notNullable().index();
    table.string('client', 255).notNullable().comment('clientInfo.name, "" when not given');
    table.string('client_version', 255).notNullable();
    table.string('outcome', 32).notNullable();
    table.bigInteger('calls').notNullable();
    table.bigInteger('duration_ms').notNullable();
    table.bigInteger('result_bytes').notNullable();
    table.text('buckets').notNullable().comment('JSON array: calls per duration bucket');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_actions_usage');
};
