/*
 * kind.c — the kinds registered at run time, and lookups in a kind's
 * declaration (see kind.h).
 */
#include "model/kind.h"

#include <pthread.h>
#include <string.h>

#include "lib/err.h"
#include "model/entity.h"

#define KIND_MAX_REGISTERED 256

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct kind *registered[KIND_MAX_REGISTERED];
static int nregistered;

int kind_register(const struct kind *k)
{
	int rc = JW_OK;
	pthread_mutex_lock(&reg_lock);
	int i;
	for (i = 0; i < nregistered; i++)
		if (strcmp(registered[i]->key, k->key) == 0)
			break;
	if (i < nregistered)
		registered[i] = k;          /* a committee's ledger redefined */
	else if (nregistered < KIND_MAX_REGISTERED)
		registered[nregistered++] = k;
	else
		rc = JW_EINVAL;
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

const struct kind *kind_find(const char *key)
{
	if (!key)
		return NULL;
	const struct kind *e = entity_by_key(key);
	if (e)
		return e;
	const struct kind *k = NULL;
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < nregistered && !k; i++)
		if (strcmp(registered[i]->key, key) == 0)
			k = registered[i];
	pthread_mutex_unlock(&reg_lock);
	return k;
}

const struct kind_dim *kind_dim(const struct kind *k, const char *name)
{
	for (int i = 0; name && i < k->ndims; i++)
		if (strcmp(k->dims[i].name, name) == 0)
			return &k->dims[i];
	return NULL;
}

const struct kind_state *kind_state(const struct kind *k, const char *name)
{
	const struct kind_workflow *w = k->workflow;
	for (int i = 0; w && name && i < w->nstates; i++)
		if (strcmp(w->states[i].name, name) == 0)
			return &w->states[i];
	return NULL;
}

const struct kind_transition *kind_transition(const struct kind *k, const char *from, const char *action)
{
	const struct kind_workflow *w = k->workflow;
	const struct kind_state *s = kind_state(k, from);
	if (!w || !s || s->final || !action)
		return NULL;
	for (int i = 0; i < w->ntransitions; i++) {
		const struct kind_transition *t = &w->transitions[i];
		if (strcmp(t->action, action) == 0 && (strcmp(t->from, "*") == 0 || strcmp(t->from, from) == 0))
			return t;
	}
	return NULL;
}
