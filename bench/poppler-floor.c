/*
 * The least a program on poppler-glib does to get the text of a PDF: open
 * it, and per page ask poppler for its text (poppler's text device runs
 * over the page) and write it out. bench/pdf times it beside docket and
 * pdftotext: what it costs over pdftotext is the price of poppler-glib
 * itself (loading it and the libraries it needs: GLib, GIO, cairo), which
 * no reader built on it can avoid.
 *
 *   cc -O2 poppler-floor.c $(pkg-config --cflags --libs poppler-glib) -o floor
 *   floor FILE.pdf > FILE.txt
 */
#include <poppler.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE.pdf\n");
        return 2;
    }
    GError *err = NULL;
    gchar *data;
    gsize len;
    if (!g_file_get_contents(argv[1], &data, &len, &err)) {
        fprintf(stderr, "floor: %s\n", err->message);
        return 1;
    }
    GBytes *bytes = g_bytes_new_take(data, len);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    if (!doc) {
        fprintf(stderr, "floor: %s\n", err->message);
        return 1;
    }
    int n = poppler_document_get_n_pages(doc);
    for (int i = 0; i < n; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        char *text = poppler_page_get_text(page);
        fputs(text, stdout);
        fputs("\f", stdout);
        g_free(text);
        g_object_unref(page);
    }
    g_object_unref(doc);
    g_bytes_unref(bytes);
    return 0;
}
