/*
 * docket/docket.h - the whole public API: the tree, buffers and the plugin
 * interface. Plugin authors include this (or docket/plugin.h alone).
 */
#ifndef DOCKET_DOCKET_H
#define DOCKET_DOCKET_H

#include <docket/buf.h>
#include <docket/plugin.h>
#include <docket/tree.h>

#endif
