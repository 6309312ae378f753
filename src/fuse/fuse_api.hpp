// Pins the libfuse API version for every file of the FUSE layer.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse3/fuse.h>
