/* A plugin built for another ABI: docket must refuse to load it. */
#include <docket/plugin.h>

static int never(dk_ctx *ctx, dk_node *doc)
{
    (void)doc;
    return dk_ctx_fail(ctx, DK_E_INTERNAL, "a refused plugin was called");
}

DK_EXPORT extern const dk_plugin docket_plugin;
const dk_plugin docket_plugin = {
    .abi_major = 99,
    .abi_minor = 0,
    .size = sizeof(dk_plugin),
    .kinds = DK_KIND_TRANSFORM,
    .name = "badabi",
    .version = "1.0",
    .transform = never,
};
