/*
 * triggers.c
 *		The table of the triggers the extension attaches, and the SQL that
 *		creates one.  ddl.c creates and drops them from it, the DDL guard
 *		recognizes them by its names.
 */
#include "postgres.h"

#include "triggers.h"

/* One trigger of the extension. */
typedef struct TriggerSpec
{
	const char *name;
	const char *when;			/* timing and events */
	const char *level;			/* ROW or STATEMENT */
	const char *condition;		/* WHEN clause, or NULL */
	const char *function;		/* in schema immutable */
} TriggerSpec;

static const TriggerSpec trigger_specs[NUM_EXTENSION_TRIGGERS] = {
	[TRG_REFUSE_CHANGE] = {TRIGGER_REFUSE_CHANGE, "BEFORE UPDATE OR DELETE", "ROW",
	NULL, "refuse_change"},
	[TRG_REFUSE_WRITE] = {TRIGGER_REFUSE_CHANGE, "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "refuse_change"},
	[TRG_REFUSE_TRUNCATE] = {TRIGGER_REFUSE_TRUNCATE, "BEFORE TRUNCATE", "STATEMENT",
	NULL, "refuse_change"},
	[TRG_STAMP_VERSION] = {TRIGGER_STAMP_VERSION, "BEFORE INSERT", "ROW",
	NULL, "stamp_version"},
	[TRG_ADD_HEAD] = {TRIGGER_ADD_HEAD, "AFTER INSERT", "ROW",
	"NEW.version OPERATOR(pg_catalog.=) 1", "add_head"},
	[TRG_SYSTEM_PERIOD] = {TRIGGER_SYSTEM_PERIOD, "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "system_versioning"},
	[TRG_SYSTEM_PERIOD_PARTITIONED] = {TRIGGER_SYSTEM_PERIOD, "BEFORE INSERT OR UPDATE", "ROW",
	NULL, "system_versioning"},
	[TRG_WRITE_HISTORY] = {TRIGGER_WRITE_HISTORY, "AFTER UPDATE OR DELETE", "ROW",
	NULL, "system_versioning"},
	[TRG_CURRENT_VIEW] = {TRIGGER_CURRENT_VIEW, "INSTEAD OF INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "write_current_view"},
	[TRG_HASH_CHAIN] = {TRIGGER_HASH_CHAIN, "BEFORE INSERT", "ROW",
	NULL, "hash_chain"},
};

/*
 * Return the CREATE [OR REPLACE] TRIGGER statement that attaches trigger to
 * relation (a quoted, schema-qualified name), its function called with
 * args (a SQL argument list, or NULL).
 */
char *
TriggerDefinition(ExtensionTrigger trigger, const char *relation, const char *args,
				  bool replace)
{
	const TriggerSpec *spec = &trigger_specs[trigger];

	return psprintf("CREATE %sTRIGGER %s %s ON %s FOR EACH %s%s%s%s"
					" EXECUTE FUNCTION immutable.%s(%s)",
					replace ? "OR REPLACE " : "", spec->name, spec->when, relation,
					spec->level, spec->condition ? " WHEN (" : "",
					spec->condition ? spec->condition : "", spec->condition ? ")" : "",
					spec->function, args ? args : "");
}

/* Is name the name of one of the extension's triggers? */
bool
TriggerIsExtensionTrigger(const char *name)
{
	int			i;

	for (i = 0; name != NULL && i < NUM_EXTENSION_TRIGGERS; i++)
		if (strcmp(name, trigger_specs[i].name) == 0)
			return true;
	return false;
}

/*
 * Return the i-th of the table's trigger names (some appear twice, for
 * different relations: dropping by name takes the one the relation has).
 */
const char *
TriggerName(int i)
{
	return trigger_specs[i].name;
}

/* Return how many entries TriggerName takes. */
int
TriggerNameCount(void)
{
	return NUM_EXTENSION_TRIGGERS;
}
