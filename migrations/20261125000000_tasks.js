// @ts-check
// The tasks table of the MCP Tasks extension (io.modelcontextprotocol/tasks): one row per
// tools/call that became a task. Written and read by plugin/tasks/store.ts; the rules (who
// may read a row, when it expires, what a stale heartbeat means) are the engine's.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_actions_tasks', table => {
    table.comment('MCP tasks: tool calls that run on after their request was answered');
    table.string('task_id', 64).primary().comment('128 random bits, hex');
    table.text('owner').notNullable().comment('The principal that created it; the only reader');
    table.string('status', 16).notNullable().comment('working, completed, failed, cancelled');
    table.text('status_message').nullable();
    table.bigInteger('created_ms').notNullable();
    table.bigInteger('updated_ms').notNullable();
    table.bigInteger('ttl_ms').notNullable();
    table.bigInteger('expires_ms').notNullable().index().comment('created_ms + ttl_ms');
    table.bigInteger('poll_interval_ms').notNullable();
    table.bigInteger('heartbeat_ms').notNullable().comment('Last sign of life of its runner');
    table.text('payload', 'longtext').nullable().comment('CallToolResult or JSON-RPC error');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_actions_tasks');
};
