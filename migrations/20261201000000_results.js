// @ts-check
// Tool results over their server's budget (mcpActions.results.maxChars), kept whole for the
// principal whose call produced them and read back page by page with resources/read. Written
// and read by plugin/tasks/store.ts; who may read a row and for how long is the engine's rule.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_actions_results', table => {
    table.comment('MCP tool results over the budget, readable as resources by their owner');
    table.string('result_id', 64).primary().comment('128 random bits, hex');
    table.text('owner').notNullable().comment('The principal whose call produced it; the only reader');
    table.text('text', 'longtext').notNullable().comment('The whole result (JSON text)');
    table.integer('page_chars').notNullable().comment('Characters per page of resources/read');
    table.bigInteger('created_ms').notNullable();
    table.bigInteger('expires_ms').notNullable().index();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_actions_results');
};
