/* xml/parse.so: the part of the xml plugin that links libxml2, handed to
 * xml.so as one table of callbacks. */
#include "parse.h"

#include <libxml/parser.h>

/* Never load anything from outside, whatever asks for it. */
static xmlParserInputPtr refuse_external(const char *url, const char *id,
                                         xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* Once, when xml.so opens this part: libxml2's process-wide set-up, and an
 * entity loader that refuses everything, behind the parser options that
 * already never load anything (defence in depth). */
static int xmlp_setup(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_external);
    return 0;
}

DK_EXPORT extern const xmlp_table xmlp_parts;
const xmlp_table xmlp_parts = {.setup = xmlp_setup, .read = xmlp_read,
                               .validate = xmlp_validate};
