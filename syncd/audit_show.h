/* audit_show: `syncd audit show`, an audit log's timeline for a reader. */
#ifndef SYNCD_AUDIT_SHOW_H
#define SYNCD_AUDIT_SHOW_H

/*
 * audit_show_main(argc, argv): argv[0] is "show"; returns the exit status
 * (0, 64 usage, 65 broken chain or newer format, 66 no such file, 74 I/O).
 */
int audit_show_main(int argc, char **argv);

#endif
