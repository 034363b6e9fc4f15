"""The Anexo A format: its data model, the readers of the files dependencias send, the writer."""
