/*
 * svg.h — charts drawn on the server as inline SVG (web/svg.c): they print,
 * and need no JavaScript.  Every text is escaped; sizes are in a viewBox so
 * the chart scales to the page (width 100%, max 640 px); colours come from
 * the page's palette; each chart carries a <title> and an aria-label, and
 * its numbers are also written as text in the bars (readable in print and
 * by screen readers).
 */
#ifndef JW_SVG_H
#define JW_SVG_H

#include "lib/buf.h"

/* Horizontal bars, one a label, longest first as given (the caller sorts),
 * the value at the end of each bar.  unit: "人" (appended to the numbers). */
void svg_bars(struct buf *b, const char *title, const char *const *labels, const double *values, int n,
	      const char *unit);

/* An age pyramid: bands from the youngest (bottom) to the oldest (top),
 * men to the left, women to the right, both on the same scale. */
void svg_pyramid(struct buf *b, const char *title, const char *const *bands, const double *men,
		 const double *women, int n);

/* A line over time (months "2026-01" …) with a dot and the value at each
 * point; n may be 1. */
void svg_line(struct buf *b, const char *title, const char *const *labels, const double *values, int n,
	      const char *unit);

#endif
