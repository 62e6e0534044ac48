"""The operating-system layers that confine a child: namespaces, tmpfs, cgroups, Landlock, seccomp."""
