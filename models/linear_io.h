/*
 * linear_io.h - LIBLINEAR model files, written and read by stance itself.
 *
 * The files keep LIBLINEAR's own text format (so `liblinear-predict` can still read them),
 * but stance does not use save_model/load_model: both call setlocale() for the whole
 * process, and load_model trusts the sizes in the file (it mallocs what the file says and
 * leaks the FILE on errors). linear_io_load checks every header value against what the
 * manifest expects and every weight for being a finite number before building the model.
 */
#ifndef STANCE_LINEAR_IO_H
#define STANCE_LINEAR_IO_H

#include <linear.h>

#include "error.h"

/* Name of a LIBLINEAR solver ("L2R_LR") or NULL; and back (-1 when unknown). */
const char *linear_io_solver_name(int solver_type);
int linear_io_solver_type(const char *name);

/* Writes model in LIBLINEAR's format with weights printed "%.17g" (exact round trip).
 * Returns 0 or STANCE_ERR_IO with the path. */
int linear_io_save(const struct model *m, const char *path, stance_error *err);

/* Reads a model file that must have exactly nr_class classes whose labels are a permutation
 * of 0..nr_class-1, nr_feature features and the given bias. Caller frees with
 * free_and_destroy_model. NULL with STANCE_ERR_MODEL and a message naming file and problem. */
struct model *linear_io_load(const char *path, int nr_class, int nr_feature, double bias,
                             stance_error *err);

#endif
