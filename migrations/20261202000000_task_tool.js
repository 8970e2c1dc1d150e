// @ts-check
// The tool each task's call was made to, for the owner's list of tasks on the frontend page
// (GET /api/mcp-actions/ui/v1/tasks). Rows written before it have none.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mcp_actions_tasks', table => {
    table.string('tool', 255).nullable().comment('The tool the call was made to');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mcp_actions_tasks', table => {
    table.dropColumn('tool');
  });
};
