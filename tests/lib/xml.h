/*
 * xml: a small strict XML 1.0 reader for the tests (not part of the tool):
 * enough to tell whether an SVG is well-formed and to look at its elements.
 * No DTDs, no namespaces processing, no entities beyond the five predefined
 * ones and character references.
 */
#ifndef MAXRSS_TEST_XML_H
#define MAXRSS_TEST_XML_H

#include <stddef.h>

struct xml_node {
	char *name;	   /* element name */
	char **attr_names; /* attributes, decoded, in document order */
	char **attr_values;
	size_t nattrs;
	char *text; /* the character data directly inside it, decoded */
	struct xml_node **children;
	size_t nchildren;
};

/*
 * Parse a whole document: an optional XML declaration, comments, one root
 * element.  Checks well-formedness: matching tags, quoted and unique
 * attributes, valid UTF-8, only characters XML allows, no raw '<' or '&'.
 * NULL on error, with a message (and the byte offset) in err.
 */
struct xml_node *xml_parse(const char *text, size_t len, char *err, size_t errlen);
void xml_free(struct xml_node *n);

/* The value of an attribute, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);
/* The first element (depth first, n included) whose id is id, or NULL. */
const struct xml_node *xml_find_id(const struct xml_node *n, const char *id);
/* The first element named name, or NULL. */
const struct xml_node *xml_find(const struct xml_node *n, const char *name);
/* How many elements are named name. */
size_t xml_count(const struct xml_node *n, const char *name);

#endif
