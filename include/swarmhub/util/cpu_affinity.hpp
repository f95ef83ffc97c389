#pragma once
// Which cores this process may run on, and binding a thread to one of them (Linux).

#include <span>
#include <vector>

namespace swarmhub::util {

// The cores the calling thread may run on (its affinity mask, which a container's cpuset or
// `taskset` narrows), in increasing order; empty when the system does not say.
std::vector<int> allowed_cpus();

// Binds the calling thread to `cpus` (one core: the scheduler keeps it there). False when
// refused. A thread starts with the binding of the thread that made it.
bool bind_this_thread_to(std::span<const int> cpus);

}  // namespace swarmhub::util
