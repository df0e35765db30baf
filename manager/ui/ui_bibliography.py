# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'bibliography.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QProgressBar, QSizePolicy,
    QSplitter, QTableView, QTextBrowser, QToolButton,
    QVBoxLayout, QWidget)

class Ui_BibliographyPanel(object):
    def setupUi(self, BibliographyPanel):
        if not BibliographyPanel.objectName():
            BibliographyPanel.setObjectName(u"BibliographyPanel")
        BibliographyPanel.resize(900, 640)
        self.main_layout = QVBoxLayout(BibliographyPanel)
        self.main_layout.setSpacing(4)
        self.main_layout.setObjectName(u"main_layout")
        self.main_layout.setContentsMargins(4, 4, 4, 4)
        self.toolbar_layout = QHBoxLayout()
        self.toolbar_layout.setSpacing(4)
        self.toolbar_layout.setObjectName(u"toolbar_layout")
        self.search_edit = QLineEdit(BibliographyPanel)
        self.search_edit.setObjectName(u"search_edit")
        self.search_edit.setClearButtonEnabled(True)

        self.toolbar_layout.addWidget(self.search_edit)

        self.count_label = QLabel(BibliographyPanel)
        self.count_label.setObjectName(u"count_label")
        self.count_label.setMinimumSize(QSize(110, 0))
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.toolbar_layout.addWidget(self.count_label)

        self.open_button = QToolButton(BibliographyPanel)
        self.open_button.setObjectName(u"open_button")

        self.toolbar_layout.addWidget(self.open_button)

        self.copy_key_button = QToolButton(BibliographyPanel)
        self.copy_key_button.setObjectName(u"copy_key_button")

        self.toolbar_layout.addWidget(self.copy_key_button)

        self.copy_cite_button = QToolButton(BibliographyPanel)
        self.copy_cite_button.setObjectName(u"copy_cite_button")

        self.toolbar_layout.addWidget(self.copy_cite_button)

        self.reload_button = QToolButton(BibliographyPanel)
        self.reload_button.setObjectName(u"reload_button")

        self.toolbar_layout.addWidget(self.reload_button)


        self.main_layout.addLayout(self.toolbar_layout)

        self.splitter = QSplitter(BibliographyPanel)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.table_view = QTableView(self.splitter)
        self.table_view.setObjectName(u"table_view")
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSortingEnabled(True)
        self.table_view.setWordWrap(False)
        self.splitter.addWidget(self.table_view)
        self.table_view.horizontalHeader().setStretchLastSection(True)
        self.table_view.verticalHeader().setVisible(False)
        self.entry_browser = QTextBrowser(self.splitter)
        self.entry_browser.setObjectName(u"entry_browser")
        self.entry_browser.setOpenLinks(False)
        self.entry_browser.setOpenExternalLinks(False)
        self.splitter.addWidget(self.entry_browser)

        self.main_layout.addWidget(self.splitter)

        self.status_layout = QHBoxLayout()
        self.status_layout.setObjectName(u"status_layout")
        self.status_label = QLabel(BibliographyPanel)
        self.status_label.setObjectName(u"status_label")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status_layout.addWidget(self.status_label)

        self.progress_bar = QProgressBar(BibliographyPanel)
        self.progress_bar.setObjectName(u"progress_bar")
        self.progress_bar.setMaximumSize(QSize(160, 16777215))
        self.progress_bar.setMaximum(100)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)

        self.status_layout.addWidget(self.progress_bar)


        self.main_layout.addLayout(self.status_layout)

        QWidget.setTabOrder(self.search_edit, self.table_view)
        QWidget.setTabOrder(self.table_view, self.entry_browser)
        QWidget.setTabOrder(self.entry_browser, self.open_button)
        QWidget.setTabOrder(self.open_button, self.copy_key_button)
        QWidget.setTabOrder(self.copy_key_button, self.copy_cite_button)
        QWidget.setTabOrder(self.copy_cite_button, self.reload_button)

        self.retranslateUi(BibliographyPanel)

        QMetaObject.connectSlotsByName(BibliographyPanel)
    # setupUi

    def retranslateUi(self, BibliographyPanel):
        BibliographyPanel.setWindowTitle(QCoreApplication.translate("BibliographyPanel", u"Bibliography", None))
#if QT_CONFIG(tooltip)
        self.search_edit.setToolTip(QCoreApplication.translate("BibliographyPanel", u"Search every field; all words must match (case and accents ignored)", None))
#endif // QT_CONFIG(tooltip)
        self.search_edit.setPlaceholderText(QCoreApplication.translate("BibliographyPanel", u"Search authors, title, year, venue, keywords\u2026", None))
        self.count_label.setText(QCoreApplication.translate("BibliographyPanel", u"0 entries", None))
#if QT_CONFIG(tooltip)
        self.open_button.setToolTip(QCoreApplication.translate("BibliographyPanel", u"Open the document of the selected entry (local PDF, else DOI or URL)", None))
#endif // QT_CONFIG(tooltip)
        self.open_button.setText(QCoreApplication.translate("BibliographyPanel", u"Open", None))
#if QT_CONFIG(tooltip)
        self.copy_key_button.setToolTip(QCoreApplication.translate("BibliographyPanel", u"Copy the citation key", None))
#endif // QT_CONFIG(tooltip)
        self.copy_key_button.setText(QCoreApplication.translate("BibliographyPanel", u"Copy key", None))
#if QT_CONFIG(tooltip)
        self.copy_cite_button.setToolTip(QCoreApplication.translate("BibliographyPanel", u"Copy \\citep[key] for a notebook", None))
#endif // QT_CONFIG(tooltip)
        self.copy_cite_button.setText(QCoreApplication.translate("BibliographyPanel", u"Copy \\citep", None))
#if QT_CONFIG(tooltip)
        self.reload_button.setToolTip(QCoreApplication.translate("BibliographyPanel", u"Read the .bib file(s) again", None))
#endif // QT_CONFIG(tooltip)
        self.reload_button.setText(QCoreApplication.translate("BibliographyPanel", u"Reload", None))
        self.entry_browser.setPlaceholderText(QCoreApplication.translate("BibliographyPanel", u"Select an entry to see it here.", None))
        self.status_label.setText("")
    # retranslateUi

