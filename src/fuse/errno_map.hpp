// The one mapping from engine errors to errno values returned to the kernel.
#pragma once

#include "ftpchat/core/error.hpp"

namespace ftpchat {

int to_errno(Errc code);  // positive errno

}  // namespace ftpchat
