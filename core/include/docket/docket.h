/*
 * docket/docket.h - the whole public API: the tree, buffers, the plugin
 * interface and the text conventions (dates, grades). Plugin authors
 * include this (or docket/plugin.h alone).
 */
#ifndef DOCKET_DOCKET_H
#define DOCKET_DOCKET_H

#include <docket/buf.h>
#include <docket/plugin.h>
#include <docket/text.h>
#include <docket/tree.h>

#endif
